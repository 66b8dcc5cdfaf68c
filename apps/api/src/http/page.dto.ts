// The page query lives in #libs/contracts with the Page shape; re-exported for the controllers' imports.
export { PageQuerySchema as PageSchema, type PageQuery } from '#libs/contracts';
