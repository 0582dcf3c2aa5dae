import type { ArtifactRef } from '../../common/artifact-ref';
import type { CompressModelOptions } from '../../common/compress-input';
import type { CompressModelResult } from '../../common/compress-result';
import { decodeModel, type Model } from '../../core/onnx';
import {
  buildSensitivityCurves,
  rankStages,
  type SensitivityBaseline,
  type SensitivityPoint,
} from '../../core/planning';
import {
  renderRatiosSvg,
  renderReportMarkdown,
  renderSensitivitySvg,
  RunReportSchema,
  sensitivityForReport,
  stageCostsForReport,
  type LayerRatio,
} from '../../core/report';
import type { ModelStats } from '../../core/stats';
import { moduleIndexOfNode, stageMapOf, stageOfModule } from '../../core/yolo/stage-map';
import type { PipelineDeps } from './context';

export interface WriteReportInput {
  result: CompressModelResult;
  input: CompressModelOptions;
  modelName: string;
  originalStats: ModelStats;
  prunedStats: ModelStats;
  scan?: { baseline: SensitivityBaseline; points: SensitivityPoint[] };
}

export interface WrittenReport {
  markdown: ArtifactRef;
  json: ArtifactRef;
  plots: ArtifactRef[];
  /** Human-readable copies and the run manifest live under this prefix. */
  runPrefix: string;
}

/** Output channels of every Conv, by node name. */
function convWidths(model: Model): Map<string, number> {
  const widths = new Map<string, number>();
  for (const n of model.graph.nodes) {
    if (n.opType !== 'Conv') continue;
    const w = model.graph.initializers.get(n.inputs[1] ?? '');
    if (w) widths.set(n.name, w.dims[0]!);
  }
  return widths;
}

/**
 * The run report: Markdown + JSON + SVG plots, stored content-addressed, with readable copies and the run
 * manifest (every artifact the run produced) under `runs/<run id>/`.
 */
export function writeReport(deps: PipelineDeps) {
  return async (input: WriteReportInput): Promise<WrittenReport> => {
    const { result } = input;
    const a = result.artifacts;
    const [original, pruned] = await Promise.all([deps.store.get(a.original), deps.store.get(a.pruned!)]);
    const after = convWidths(decodeModel(pruned));
    const originalModel = decodeModel(original);
    const stages = stageMapOf(originalModel);
    const layers: LayerRatio[] = [...convWidths(originalModel)]
      .filter(([name]) => after.has(name))
      .map(([name, before]) => ({
        name,
        stage: stageOfModule(moduleIndexOfNode(name) ?? -1, stages) ?? 'other',
        before,
        after: after.get(name)!,
      }));

    const files: { name: string; body: string; type: string }[] = [
      { name: 'ratios.svg', body: renderRatiosSvg(layers), type: 'image/svg+xml' },
    ];
    let sensitivity;
    if (input.scan) {
      const curves = buildSensitivityCurves(input.scan.baseline, input.scan.points);
      sensitivity = sensitivityForReport(rankStages(input.scan.baseline, curves));
      files.push({
        name: 'sensitivity.svg',
        body: renderSensitivitySvg(curves, input.scan.baseline),
        type: 'image/svg+xml',
      });
    }
    const t = input.input.target;
    const report = RunReportSchema.parse({
      run_id: result.runId,
      input: {
        model: input.modelName,
        dataset: input.input.data,
        planner: input.input.planner.kind,
        criterion: input.input.criterion,
        granularity: input.input.granularity,
        target: {
          flops_reduction: t.flopsReduction,
          params_reduction: t.paramsReduction,
          latency_ms: t.latencyMs,
        },
      },
      steps: Object.entries(result.stepSeconds).map(([name, wall_s]) => ({ name, wall_s })),
      before: result.before,
      after: result.after ?? result.before,
      stages: stageCostsForReport(input.originalStats, input.prunedStats),
      planned: plannedForReport(result),
      sensitivity,
      layers,
      plots: { ratios: 'ratios.svg', ...(input.scan ? { sensitivity: 'sensitivity.svg' } : {}) },
      plan_key: a.appliedPlan?.key ?? a.plan?.key ?? '(none)',
    });
    files.push({ name: 'report.md', body: renderReportMarkdown(report), type: 'text/markdown' });
    files.push({ name: 'report.json', body: JSON.stringify(report, null, 2), type: 'application/json' });

    const enc = new TextEncoder();
    const refs = new Map<string, ArtifactRef>();
    const runPrefix = `runs/${result.runId}/`;
    for (const f of files) {
      const bytes = enc.encode(f.body);
      refs.set(f.name, await deps.store.put(bytes, { contentType: f.type }));
      await deps.store.putObject(`${runPrefix}${f.name}`, bytes);
    }
    const out: WrittenReport = {
      markdown: refs.get('report.md')!,
      json: refs.get('report.json')!,
      plots: files.filter((f) => f.name.endsWith('.svg')).map((f) => refs.get(f.name)!),
      runPrefix,
    };
    await deps.store.putJson(`${runPrefix}manifest.json`, {
      run_id: result.runId,
      artifacts: { ...a, report: out.markdown, reportJson: out.json, plots: out.plots },
      before: result.before,
      after: result.after,
    });
    return out;
  };
}

function plannedForReport(result: CompressModelResult) {
  const p = result.planned;
  if (!p) return undefined;
  return {
    flops_reduction: p.flopsReduction,
    params_reduction: p.paramsReduction,
    scale: p.scale,
    ...(p.allocatedFor
      ? {
          allocated_for: {
            flops_reduction: p.allocatedFor.flopsReduction,
            params_reduction: p.allocatedFor.paramsReduction,
          },
        }
      : {}),
    ...(p.fromLatency
      ? {
          latency: {
            budget_ms: p.fromLatency.budgetMs,
            baseline_ms: p.fromLatency.baselineMs,
            met: result.latencyTargetMet,
          },
        }
      : {}),
  };
}
