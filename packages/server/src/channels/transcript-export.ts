/**
 * A broadcast's transcript as a download, streamed page by page (constant memory whatever its
 * length): JSON `{broadcast, messages: [...]}` or CSV with one row per message. Deleted
 * messages are there as deleted, without their text. CSV cells that a spreadsheet would run as
 * a formula (`=`, `+`, `-`, `@`, tab, CR at the start) are prefixed with `'` (OWASP's CSV
 * injection advice).
 */
import { Readable } from "node:stream";
import type { Broadcast, Message } from "@chorus/protocol";
import { stringify } from "csv-stringify";

export type ExportFormat = "json" | "csv";

export const CSV_COLUMNS = [
  "seq",
  "id",
  "createdAt",
  "platform",
  "username",
  "displayName",
  "role",
  "badges",
  "text",
  "replyTo",
  "deleted",
] as const;

const FORMULA_START = /^[=+\-@\t\r]/;

function cell(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

export function csvRow(m: Message): string[] {
  return [
    String(m.seq),
    m.id,
    new Date(m.createdAt).toISOString(),
    m.author.platform,
    cell(m.author.username),
    cell(m.author.displayName),
    m.author.role,
    m.author.badges.join(" "),
    cell(m.text),
    m.replyTo ?? "",
    m.deleted ? "true" : "false",
  ];
}

export function exportStream(format: ExportFormat, broadcast: Broadcast, pages: AsyncIterable<Message[]>): Readable {
  if (format === "csv") {
    const rows = Readable.from(
      (async function* () {
        for await (const page of pages) for (const m of page) yield csvRow(m);
      })(),
    );
    return rows.pipe(stringify({ header: true, columns: [...CSV_COLUMNS], bom: true }));
  }
  return Readable.from(
    (async function* () {
      yield `{"broadcast":${JSON.stringify(broadcast)},"messages":[`;
      let first = true;
      for await (const page of pages) {
        const chunk = page.map((m) => JSON.stringify(m)).join(",");
        yield first ? chunk : `,${chunk}`;
        first = false;
      }
      yield "]}\n";
    })(),
  );
}
