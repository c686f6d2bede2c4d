// Text from people or files, made safe to print on a terminal or into a log line: control
// characters (C0, DEL, C1, which carry ANSI escapes and fake line breaks) and the bidirectional
// overrides that reorder what a reader sees are written as visible \x.. / \u.... escapes.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function printable(text: string): string {
  return text.replace(UNSAFE, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
