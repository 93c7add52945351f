import { tokens } from '../auth/tokens';
import { ApiError } from './problem';

/*
 * Multipart uploads through XMLHttpRequest, the one browser API that reports upload progress
 * (fetch does not). Same auth rule as the fetch client: bearer header, one refresh on a 401.
 */

export interface UploadOptions {
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
  method?: 'POST' | 'PUT';
}

export async function upload<T>(url: string, file: File | Blob, options: UploadOptions = {}): Promise<T> {
  const token = await tokens.valid();
  try {
    return await send<T>(url, file, token, options);
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 401) throw error;
    return send<T>(url, file, await tokens.refresh(token), options);
  }
}

function send<T>(url: string, file: File | Blob, token: string, { onProgress, signal, method = 'POST' }: UploadOptions): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(method, url);
    xhr.setRequestHeader('authorization', `Bearer ${token}`);
    xhr.responseType = 'json';
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress?.(event.loaded / event.total);
    };
    xhr.onload = () => {
      const body = (xhr.response ?? {}) as object;
      if (xhr.status >= 200 && xhr.status < 300) resolve(body as T);
      else reject(new ApiError(xhr.status, body));
    };
    xhr.onerror = () => reject(new TypeError('network error'));
    xhr.onabort = () => reject(new DOMException('aborted', 'AbortError'));
    signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    const form = new FormData();
    form.append('file', file, file instanceof File ? file.name : 'file');
    xhr.send(form);
  });
}
