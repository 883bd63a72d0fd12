// Who is signed in: the bearer token (kept in localStorage so a reload stays
// signed in) and the user it belongs to, as GET /auth/me answers it.
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { request } from './http';

const TOKEN_KEY = 'bitcup.token';

export type SignedInUser = Record<string, unknown> & { id: string };

function storedToken(): string | null {
  try {
    return globalThis.localStorage?.getItem(TOKEN_KEY) ?? null;
  } catch {
    return null;
  }
}

function storeToken(token: string | null): void {
  try {
    if (token === null) globalThis.localStorage?.removeItem(TOKEN_KEY);
    else globalThis.localStorage?.setItem(TOKEN_KEY, token);
  } catch {
    // storage may be disabled; the token then lives for this page only
  }
}

export const useAuthStore = defineStore('auth', () => {
  const token = ref<string | null>(storedToken());
  const user = ref<SignedInUser | null>(null);
  const loading = ref(false);
  const error = ref<string | null>(null);
  const signedIn = computed(() => token.value !== null);

  function setToken(value: string | null): void {
    token.value = value;
    storeToken(value);
  }

  async function fetchMe(): Promise<SignedInUser | null> {
    if (token.value === null) return null;
    user.value = await request<SignedInUser>('GET', '/auth/me');
    return user.value;
  }

  async function login(username: string, password: string): Promise<boolean> {
    loading.value = true;
    error.value = null;
    try {
      const answer = await request<{ access_token: string }>('POST', '/auth/login', {
        form: { username, password },
      });
      setToken(answer.access_token);
      await fetchMe();
      return true;
    } catch (caught) {
      setToken(null);
      error.value = caught instanceof Error ? caught.message : String(caught);
      return false;
    } finally {
      loading.value = false;
    }
  }

  async function register(payload: Record<string, unknown>): Promise<SignedInUser> {
    loading.value = true;
    error.value = null;
    try {
      return await request<SignedInUser>('POST', '/auth/register', { json: payload });
    } finally {
      loading.value = false;
    }
  }

  /** Forget the token and the user (also what a 401 does). */
  function logout(): void {
    setToken(null);
    user.value = null;
  }

  return { token, user, loading, error, signedIn, fetchMe, login, register, logout };
});
