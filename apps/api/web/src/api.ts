// Every call to the API: the Bearer key on each request, errors as ApiError with the API's message.
import { storedKey } from './session.js';

export class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export function authHeaders(key = storedKey()): Record<string, string> {
  return key ? { authorization: `Bearer ${key}` } : {};
}

async function failure(response: Response): Promise<ApiError> {
  const text = await response.text();
  let message = text || response.statusText;
  try {
    message = (JSON.parse(text) as { message?: string }).message ?? message;
  } catch { /* not JSON: keep the text */ }
  return new ApiError(response.status, `${response.status}: ${message}`);
}

export async function call(method: string, path: string, body?: unknown, key?: string): Promise<Response> {
  const json = body !== undefined && !(body instanceof FormData);
  const response = await fetch(path, {
    method,
    headers: { ...authHeaders(key), ...(json && { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : json ? JSON.stringify(body) : (body as FormData),
  });
  if (!response.ok) throw await failure(response);
  return response;
}

export async function get<T>(path: string, key?: string): Promise<T> {
  return (await call('GET', path, undefined, key)).json() as Promise<T>;
}

export async function send<T>(method: string, path: string, body?: unknown): Promise<T | undefined> {
  const response = await call(method, path, body);
  return response.status === 204 ? undefined : (response.json() as Promise<T>);
}

/** The items of a list answer: a `{ total, limit, offset, items }` page, or a bare array from routes not yet paged. */
export async function list<T>(path: string): Promise<T[]> {
  const answer = await get<T[] | { items: T[] }>(path);
  return Array.isArray(answer) ? answer : answer.items;
}

/** A binary answer (sample PNGs, weight images) as a data: URL an <img> can show; images need the key too. */
export async function dataUrl(path: string): Promise<string> {
  const blob = await (await call('GET', path)).blob();
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result as string);
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(blob);
  });
}

/** Saves a route's answer as a file (a plain link could not send the key). */
export async function download(path: string, fileName: string): Promise<void> {
  const blob = await (await call('GET', path)).blob();
  const link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = fileName;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}

/** Multipart upload through XMLHttpRequest, the one browser API that reports upload progress. */
export function upload<T>(path: string, form: FormData, onProgress: (fraction: number) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('POST', path);
    for (const [name, value] of Object.entries(authHeaders())) request.setRequestHeader(name, value);
    request.upload.onprogress = (event) => event.lengthComputable && onProgress(event.loaded / event.total);
    request.onload = () => {
      let body: { message?: string } = {};
      try { body = JSON.parse(request.responseText); } catch { /* keep empty */ }
      if (request.status >= 200 && request.status < 300) resolve(body as T);
      else reject(new ApiError(request.status, `${request.status}: ${body.message ?? request.statusText}`));
    };
    request.onerror = () => reject(new ApiError(0, 'the upload was interrupted'));
    request.send(form);
  });
}
