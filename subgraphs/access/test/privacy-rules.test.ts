import { comparableEmail, erasedBuyerId } from '../src/domain/privacy';

describe('erasing a buyer', () => {
  it('gives the erased bookings one buyer id per receipt, never the user’s', () => {
    const id = erasedBuyerId('7d3b1c8e-0000-4000-8000-000000000001');
    expect(id).toBe('erased:7d3b1c8e-0000-4000-8000-000000000001');
    expect(erasedBuyerId('a')).not.toBe(erasedBuyerId('b'));
  });

  it('finds ticket holders by address as users stores it', () => {
    expect(comparableEmail('  Ada@Example.COM ')).toBe('ada@example.com');
  });
});
