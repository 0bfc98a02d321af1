// Placeholder entry so the stack can bundle while the rotation is being written; replaced by its implementation.
export const handler = async (): Promise<never> => {
  throw new Error('rotation handler not implemented yet');
};
