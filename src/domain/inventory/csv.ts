/**
 * RFC 4180 CSV, one record at a time: feed lines as they are read; a quoted field may span lines,
 * so a record is returned once its quotes close. Pure, so the import streams a file of any size.
 */
export class CsvRecords {
  private pending: string | null = null;

  /** A complete record's cells, null while a quoted field is still open, or an error message. */
  feed(line: string): string[] | null | { error: string } {
    const text = this.pending === null ? line : `${this.pending}\n${line}`;
    const r = splitCsv(text);
    if (r === 'open') {
      this.pending = text;
      return null;
    }
    this.pending = null;
    return typeof r === 'string' ? { error: r } : r;
  }

  /** At the end of the file: an unclosed quote is an error. */
  end(): { error: string } | null {
    return this.pending === null ? null : { error: 'a quoted field is never closed (missing ")' };
  }
}

function splitCsv(text: string): string[] | 'open' | string {
  const cells: string[] = [];
  let i = 0;
  for (;;) {
    if (text[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        const q = text.indexOf('"', i);
        if (q < 0) return 'open';
        value += text.slice(i, q);
        if (text[q + 1] === '"') {
          value += '"';
          i = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      if (i < text.length && text[i] !== ',') return `unexpected text after a closing quote at character ${i + 1}`;
      cells.push(value);
    } else {
      const c = text.indexOf(',', i);
      const end = c < 0 ? text.length : c;
      const cell = text.slice(i, end);
      if (cell.includes('"')) return `a quote inside an unquoted field at character ${i + cell.indexOf('"') + 1}: quote the whole field`;
      cells.push(cell.trim());
      i = end;
    }
    if (i >= text.length) return cells;
    i++; // the comma
    if (i === text.length) {
      cells.push('');
      return cells;
    }
  }
}
