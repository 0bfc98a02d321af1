// Placeholder entry so the stack can bundle while the verifier is being written; replaced by its implementation.
export const handler = async (): Promise<never> => {
  throw new Error('verifier handler not implemented yet');
};
