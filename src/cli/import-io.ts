/** Where an import command writes: its lines, its errors, and whether to draw a progress bar. */
export interface ImportIo {
  out(line: string): void;
  err(line: string): void;
  /** Show a progress bar (a TTY and a large file). */
  progress: boolean;
}
