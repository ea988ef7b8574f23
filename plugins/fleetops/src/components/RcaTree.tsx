import React from 'react';
import { Chip, Typography } from '@material-ui/core';
import type { RcaReport } from '../api/types.ts';

const timelineText = (entry: RcaReport['timeline'][number]) =>
  typeof entry === 'string' ? entry : [entry.at ?? entry.time, entry.event ?? entry.description].filter(Boolean).join(' — ');

const tree: React.CSSProperties = { listStyle: 'none', margin: 0, paddingLeft: 20, borderLeft: '2px solid #9e9e9e' };
const node: React.CSSProperties = { margin: '6px 0' };

/** The RCA report as a tree: symptoms → root causes (evidence, confidence) → contributing factors → timeline. */
export function RcaTree({ report }: { report: RcaReport }) {
  return (
    <div data-testid="fleetops-rca-tree">
      <Typography variant="body1" gutterBottom>
        {report.summary} <Chip size="small" label={`engine: ${report.engine}`} />
      </Typography>
      <ul style={{ ...tree, borderLeft: 'none', paddingLeft: 0 }}>
        <li style={node}>
          <strong>Symptoms</strong>
          <ul style={tree}>
            {report.symptoms.length ? (
              report.symptoms.map((s, i) => (
                <li key={i} style={node}>
                  {s}
                </li>
              ))
            ) : (
              <li style={node}>none recorded</li>
            )}
            <li style={node}>
              <strong>Root causes</strong>
              <ul style={tree} data-testid="fleetops-root-causes">
                {report.rootCauses.length ? (
                  report.rootCauses.map((cause, i) => (
                    <li key={i} style={node} data-testid="fleetops-root-cause">
                      <span data-testid="fleetops-root-cause-category">{cause.category}</span> on {cause.resource}{' '}
                      <Chip size="small" color={i === 0 ? 'primary' : 'default'} label={`confidence ${Math.round(cause.confidence * 100)} %`} />
                      <div>{cause.description}</div>
                      <ul style={tree}>
                        {cause.evidence.map((e, j) => (
                          <li key={j} style={node}>
                            <em>evidence:</em> {e}
                          </li>
                        ))}
                      </ul>
                    </li>
                  ))
                ) : (
                  <li style={node}>no root cause found</li>
                )}
                <li style={node}>
                  <strong>Contributing factors</strong>
                  <ul style={tree}>
                    {report.contributingFactors.length ? (
                      report.contributingFactors.map((f, i) => (
                        <li key={i} style={node}>
                          {f}
                        </li>
                      ))
                    ) : (
                      <li style={node}>none</li>
                    )}
                    <li style={node}>
                      <strong>Timeline</strong>
                      <ul style={tree}>
                        {report.timeline.length ? (
                          report.timeline.map((t, i) => (
                            <li key={i} style={node}>
                              {timelineText(t)}
                            </li>
                          ))
                        ) : (
                          <li style={node}>no events</li>
                        )}
                      </ul>
                    </li>
                  </ul>
                </li>
              </ul>
            </li>
          </ul>
        </li>
      </ul>
      {report.remediation.length > 0 && (
        <Typography variant="body2">
          <strong>Remediation:</strong> {report.remediation.join('; ')}
        </Typography>
      )}
    </div>
  );
}
