// Placeholder entry so the stack can bundle while the authorizer is being written; replaced by its implementation.
export const handler = async (): Promise<never> => {
  throw new Error('authorizer handler not implemented yet');
};
