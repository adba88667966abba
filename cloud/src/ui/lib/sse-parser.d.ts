/** Types of sse-parser.js for the TypeScript tests (the dashboard itself is plain JS). */
export interface SseMessage {
  event: string;
  data: string;
  id?: string;
}

export declare class SseParser {
  push(chunk: string): SseMessage[];
}
