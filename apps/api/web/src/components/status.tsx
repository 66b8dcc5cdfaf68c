export function Status({ status }: { status: string }) {
  return <span class={`status status-${status.toLowerCase()}`}>{status}</span>;
}

export function ErrorLine({ error }: { error: unknown }) {
  return error ? <p class="error" role="alert">{error instanceof Error ? error.message : String(error)}</p> : null;
}
