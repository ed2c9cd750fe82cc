/**
 * The gateways benchmark's data and resolvers (graphql-hive/graphql-gateways-benchmark, federation/:
 * the same counts, prices, weights, stock and body lengths), written in Node so every gateway talks
 * to the same, cheap subgraphs.
 */
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';

export interface User {
  id: string;
  name: string;
  username: string;
  birthday: number;
}
export interface Product {
  upc: string;
  name: string;
  price: number;
  weight: number;
  inStock: boolean;
}
export interface Review {
  id: string;
  body: string;
  authorId: string;
  productUpc: string;
}

// the benchmark's shape: six users; nine products (the top five asked for); eleven reviews with long
// bodies on products 1–4 (four, four, one and two); every review written by user 1, and every user's
// reviews the first two (its subgraphs are that simple, so the gateways do the work)
const NAMES = ['Ada Lovelace', 'Alan Mathison', 'Grace Hopperson', 'Edsger Wybe', 'Barbara Liskova', 'Donald Ervin'];
export const users: User[] = NAMES.map((name, i) => ({
  id: String(i + 1),
  name,
  username: name.split(' ')[0]!.toLowerCase(),
  birthday: 1_234_567_890,
}));
const PRODUCTS: Array<[name: string, price: number, weight: number, inStock: boolean]> = [
  ['Table', 899, 100, true],
  ['Couch', 1299, 1000, false],
  ['Glass', 15, 20, false],
  ['Chair', 499, 100, false],
  ['TV', 1299, 1000, true],
  ['Lamp', 6999, 300, true],
  ['Grill', 3999, 2000, true],
  ['Fridge', 100000, 6000, false],
  ['Sofa', 9999, 800, true],
];
export const products: Product[] = PRODUCTS.map(([name, price, weight, inStock], i) => ({
  upc: String(i + 1),
  name,
  price,
  weight,
  inStock,
}));
const WORDS = 'the quick brown fox jumps over a lazy dog while reviewers write long paragraphs about furniture '.split(' ');
const text = (length: number, seed: number) => {
  let out = '';
  for (let i = seed; out.length < length; i++) out += `${WORDS[i % WORDS.length]} `;
  return out.slice(0, length);
};
const REVIEWS: Array<[upc: string, bodyLength: number]> = [
  ['1', 445],
  ['1', 287],
  ['1', 280],
  ['1', 141],
  ['2', 445],
  ['2', 287],
  ['2', 280],
  ['2', 141],
  ['3', 141],
  ['4', 141],
  ['4', 1031],
];
export const reviews: Review[] = REVIEWS.map(([productUpc, length], i) => ({
  id: String(i + 1),
  body: text(length, i),
  authorId: '1',
  productUpc,
}));

const byId = <T, K extends keyof T>(items: T[], key: K) => new Map(items.map((item) => [item[key], item]));
const usersById = byId(users, 'id');
const productsByUpc = byId(products, 'upc');
const reviewsById = byId(reviews, 'id');

export const RESOLVERS: Record<string, GraphQLResolverMap<unknown>> = {
  accounts: {
    Query: {
      me: () => users[0],
      user: (_: unknown, { id }: { id: string }) => usersById.get(id) ?? null,
      users: () => users,
    },
    User: { __resolveReference: ({ id }: { id: string }) => usersById.get(id) ?? null },
  },
  products: {
    Query: { topProducts: (_: unknown, { first }: { first: number }) => products.slice(0, first) },
    Product: { __resolveReference: ({ upc }: { upc: string }) => productsByUpc.get(upc) ?? null },
  },
  inventory: {
    Product: {
      __resolveReference: (reference: { upc: string; price?: number; weight?: number }) => ({
        ...reference,
        inStock: productsByUpc.get(reference.upc)?.inStock ?? false,
      }),
      // free above 1,000, otherwise half the weight
      shippingEstimate: ({ price, weight }: { price?: number; weight?: number }) =>
        price === undefined || weight === undefined ? null : price > 1000 ? 0 : Math.floor(weight / 2),
    },
  },
  reviews: {
    Review: {
      __resolveReference: ({ id }: { id: string }) => reviewsById.get(id) ?? null,
      product: (review: Review) => ({ upc: review.productUpc }),
      author: (review: Review) => ({ id: review.authorId, username: usersById.get(review.authorId)!.username }),
    },
    User: {
      reviews: () => reviews.slice(0, 2),
    },
    Product: {
      reviews: ({ upc }: { upc: string }) => reviews.filter((review) => review.productUpc === upc),
    },
  },
};
