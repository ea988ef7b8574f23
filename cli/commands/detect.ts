import type { CliCommand } from '../command.ts';
import { parseFlags } from '../command.ts';
import { CsvError, CsvWriter, parseNumber, readCsv } from '../csv.ts';
import { StreamingAnomalyDetector } from '../../functions/core/anomaly/streaming/detector.ts';

export const command: CliCommand = {
  name: 'detect',
  summary: 'Univariate streaming anomaly scoring of a timestamp,value CSV',
  usage:
    'fleetops detect --input IN.csv --output OUT.csv\n\n' +
    'IN has a header with columns `timestamp` and `value`. OUT has `timestamp,value,anomaly_score`, one row per\n' +
    'input row, score in [0, 1]; the score of row i uses rows 0..i only. --output - writes to stdout.',
  async run(argv) {
    const flags = parseFlags(argv, ['input', 'output']);
    for (const f of ['input', 'output']) if (!flags[f]) throw new Error(`--${f} is required\nUsage: ${command.usage.split('\n')[0]}`);
    // both columns stay byte ranges: timestamps and values are copied to OUT exactly as written in IN
    const table = readCsv(flags.input, { textColumns: ['timestamp', 'value'], requiredColumns: ['timestamp', 'value'] });
    const ts = table.text.timestamp;
    const vs = table.text.value;
    const values = new Float64Array(table.rows);
    for (let i = 0; i < table.rows; i++) {
      const v = parseNumber(vs.buf, vs.start[i], vs.end[i]);
      if (Number.isNaN(v)) throw new CsvError(`${flags.input}: data row ${i + 1}, column "value": not a number: "${vs.get(i).slice(0, 40)}"`);
      values[i] = v;
    }
    const det = new StreamingAnomalyDetector();
    const out = new CsvWriter(flags.output);
    out.write('timestamp,value,anomaly_score\n');
    for (let i = 0; i < table.rows; i++) {
      const score = det.update(values[i]);
      out.writeBytes(ts.buf, ts.start[i], ts.end[i]);
      out.writeByte(44);
      out.writeBytes(vs.buf, vs.start[i], vs.end[i]);
      out.write(`,${score}\n`);
    }
    out.close();
    return 0;
  },
};
