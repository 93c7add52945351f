/** A failed API call: the status and the problem+json body (API.md), for messages shown to people. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: { title?: string; detail?: string; errors?: Record<string, string[]> } = {},
  ) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`);
    this.name = 'ApiError';
  }

  /** Worth trying again later (the server or the way to it is down), as opposed to refused. */
  get transient(): boolean {
    return this.status >= 500 || this.status === 408 || this.status === 429;
  }
}

/** A request that never got an answer: offline, DNS, connection refused or reset. */
export const isNetworkError = (error: unknown): boolean => error instanceof TypeError || (error instanceof ApiError && error.status === 0);

/** Whether a send that failed this way should be kept and tried again rather than reported. */
export const isRetryable = (error: unknown): boolean => isNetworkError(error) || (error instanceof ApiError && error.transient);

export async function problemOf(response: Response): Promise<ApiError> {
  const body: unknown = await response.json().catch(() => ({}));
  return new ApiError(response.status, typeof body === 'object' && body !== null ? body : {});
}
