// What a sign-in may carry: names and passwords that could never be a PostgreSQL login are
// refused at the boundary with the field named, not sent to the server to fail as a lost
// connection.
import { describe, expect, it } from 'vitest';
import { sessionChannels } from './session';

const login = sessionChannels['session.login'].input;

describe('session.login input', () => {
  it('takes an ordinary name and password', () => {
    expect(login.parse({ user: ' jsmith ', password: 'correct horse \u{1F434}' })).toEqual({
      user: 'jsmith',
      password: 'correct horse \u{1F434}',
      remember: false,
    });
  });

  it.each([
    ['a NUL byte in the name', { user: 'js\u0000mith', password: 'x' }, 'user'],
    ['a name longer than PostgreSQL allows', { user: 'j'.repeat(10_000), password: 'x' }, 'user'],
    ['a line break in the name', { user: 'js\nmith', password: 'x' }, 'user'],
    ['a NUL byte in the password', { user: 'jsmith', password: 'pa\u0000ss' }, 'password'],
    ['an enormous password', { user: 'jsmith', password: 'p'.repeat(100_000) }, 'password'],
    ['half a character pair in the name', { user: 'js\ud800mith', password: 'x' }, 'user'],
    ['half a character pair in the password', { user: 'jsmith', password: 'pa\udc00ss' }, 'password'],
  ])('refuses %s, naming the field', (_what, input, field) => {
    const r = login.safeParse(input);
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.path.join('.'))).toEqual([field]);
  });
});
