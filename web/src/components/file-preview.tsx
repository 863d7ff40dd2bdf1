import type { Mapping, Upload } from '../api.ts';
import { humanize } from '../format.ts';
import { CheckIcon } from './icons.tsx';

const previewRows = 5;

type Match = { tone: 'success' | 'warning'; text: string };

/** What the import will make of this file, given the chosen mapping (or detection). */
function describeMatch(upload: Upload, mappings: Mapping[] | null, mapping: string): Match {
  const labelOf = (name: string) => mappings?.find((m) => m.name === name)?.label ?? name;
  if (mapping === 'detect') {
    const { detected } = upload;
    if (detected.mapping && detected.entity) {
      return {
        tone: 'success',
        text: `Recognised as ${humanize(detected.entity)} (${labelOf(detected.mapping)})`,
      };
    }
    if (detected.mapping)
      return {
        tone: 'warning',
        text: `Looks like ${labelOf(detected.mapping)}, but no entity matches its columns`,
      };
    return {
      tone: 'warning',
      text: 'Not recognised from its header: choose a mapping, or check the header row',
    };
  }
  const chosen = mappings?.find((m) => m.name === mapping);
  if (!chosen) return { tone: 'warning', text: `Unknown mapping ${mapping}` };
  const header = new Set(upload.header.map((h) => h.trim().toLowerCase()));
  const candidates = chosen.files.map((file) => ({
    entity: file.entity,
    missing: file.requiredColumns.filter((column) => !header.has(column.toLowerCase())),
  }));
  const match = candidates.find((c) => c.missing.length === 0);
  if (match) return { tone: 'success', text: `Matches ${humanize(match.entity)} in ${chosen.label}` };
  const closest = [...candidates].sort((a, b) => a.missing.length - b.missing.length)[0];
  if (!closest) return { tone: 'warning', text: `${chosen.label} describes no files` };
  return {
    tone: 'warning',
    text: `No file of ${chosen.label} matches; closest is ${humanize(closest.entity)}, missing ${closest.missing.join(', ')}`,
  };
}

/** The header and first rows of an uploaded file, as the server read them. */
export function FilePreview({
  upload,
  mappings,
  mapping,
}: {
  upload: Upload;
  mappings: Mapping[] | null;
  mapping: string;
}) {
  const match = describeMatch(upload, mappings, mapping);
  const rows = upload.sampleRows.slice(0, previewRows);
  return (
    <div className="file-preview">
      <p className={`detection detection-${match.tone}`} data-testid="detection">
        {match.tone === 'success' && <CheckIcon />}
        {match.text}
      </p>
      <div
        className="table-wrap preview-wrap"
        tabIndex={0}
        role="region"
        aria-label={`Preview of ${upload.fileName}`}
      >
        <table className="table table-compact preview-table">
          <thead>
            <tr>
              <th scope="col" className="num row-number">
                <span className="visually-hidden">Line</span>
              </th>
              {upload.header.map((column, index) => (
                <th scope="col" key={index}>
                  {column}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.length === 0 && (
              <tr>
                <td colSpan={upload.header.length + 1} className="muted">
                  The file has a header but no rows.
                </td>
              </tr>
            )}
            {rows.map((row, rowIndex) => (
              <tr key={rowIndex}>
                <td className="num row-number">{rowIndex + 2}</td>
                {upload.header.map((_, index) => (
                  <td key={index}>{row[index] ?? ''}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
