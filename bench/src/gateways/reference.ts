/**
 * The answer the nested query must get, computed without any gateway or subgraph: one plain
 * graphql-js schema over data.ts, with the subgraphs' rules (top five products, every user's
 * reviews the first two, shipping free above 1,000). Every gateway is checked against it.
 */
import { buildSchema, execute, parse, type ExecutionResult } from 'graphql';
import { products, reviews, users, type Product, type Review } from './data';

const schema = buildSchema(`
  type Query { users: [User] topProducts(first: Int = 5): [Product] }
  type User { id: ID! name: String username: String reviews: [Review] }
  type Review { id: ID! body: String product: Product author: User }
  type Product { upc: String! name: String price: Int weight: Int inStock: Boolean shippingEstimate: Int reviews: [Review] }
`);

const root = {
  users: () => users.map(user),
  topProducts: ({ first }: { first: number }) => products.slice(0, first).map(product),
};
function user(u: (typeof users)[number]) {
  return { ...u, reviews: () => reviews.slice(0, 2).map(review) };
}
function review(r: Review) {
  return {
    ...r,
    product: () => product(products.find((p) => p.upc === r.productUpc)!),
    author: () => user(users.find((u) => u.id === r.authorId)!),
  };
}
function product(p: Product) {
  return {
    ...p,
    shippingEstimate: p.price > 1000 ? 0 : Math.floor(p.weight / 2),
    reviews: () => reviews.filter((r) => r.productUpc === p.upc).map(review),
  };
}

export async function referenceAnswer(query: string): Promise<ExecutionResult> {
  return execute({ schema, document: parse(query), rootValue: root });
}
