// One sentence for any error a screen catches: the back end's and the vision core's messages are
// already written for people, anything else keeps its message rather than vanishing.
export function errorText(e: unknown): string {
  if (e instanceof Error) return e.message || e.name;
  if (typeof e === 'string') return e;
  return `an unexpected error occurred (${String(e)})`;
}
