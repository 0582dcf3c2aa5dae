import { Context } from '@temporalio/activity';
import type { ArtifactRef } from '../../common/artifact-ref';
import { runPrefix as runPrefixOf } from '../../common/run-prefix';
import { REPORT_HTML, RUN_MANIFEST, reportHtmlUri } from '../../common/report-location';
import type { RunOptions } from '../../common/compress-input';
import {
  splitUses,
  type CompressModelResult,
  type Int8Result,
  type ModelMetrics,
} from '../../common/compress-result';
import type { NumberFormat } from '../../core/report/number-format';
import type { RunSplits } from '../../common/data-split';
import { loadDataset } from '../../runtime/datasets';
import { decodeModel, type Model } from '../../core/onnx';
import {
  buildSensitivityCurves,
  rankParts,
  type SensitivityBaseline,
  type SensitivityPoint,
} from '../../core/planning';
import {
  FinetuneLossSchema,
  renderRatiosSvg,
  renderReportHtml,
  renderReportMarkdown,
  renderSensitivitySvg,
  RunReportSchema,
  searchForReport,
  SearchTrajectorySchema,
  sensitivityForReport,
  partCostsForReport,
  type FinetuneLoss,
  type LayerRatio,
  type ReportSplit,
  type SearchTrajectory,
} from '../../core/report';
import type { ModelStats } from '../../core/stats';
import { moduleIndexOfNode, partMapOf, partOfModule } from '../../core/yolo/part-map';
import { detectionExamples, type DetectionExamplesResult } from '../../runtime/report/detection-examples';
import type { PipelineDeps } from './context';
import type { EvaluateModelResult } from './evaluate-model';
import { loadManifest } from './import-inputs';
import { gatherReportEvidence } from './report-evidence';
import { metricsForReport, paretoPoints, stageBounds, targetMet } from './report-facts';

export interface WriteReportInput {
  result: CompressModelResult;
  input: RunOptions;
  modelName: string;
  originalStats: ModelStats;
  prunedStats: ModelStats;
  scan?: { baseline: SensitivityBaseline; points: SensitivityPoint[] };
  /** The dataset manifest the run used (importDataset's); default: re-imported from `input.data`. */
  dataset?: ArtifactRef;
  /** evaluateModel's results as returned (latency spread, per-class AP); default: read from their memos. */
  evaluations?: { before?: EvaluateModelResult; pruned?: EvaluateModelResult; after?: EvaluateModelResult };
  /** FinetuneResult.lossSeries; default: read from the fine-tune's memo. */
  finetuneLoss?: ArtifactRef;
  /** Iterative planners' search trajectories (NetAdapt, AMC, random search), as the planners return them. */
  search?: SearchTrajectory[];
}

export interface WrittenReport {
  markdown: ArtifactRef;
  json: ArtifactRef;
  html: ArtifactRef;
  plots: ArtifactRef[];
  /** Human-readable copies and the run manifest live under this prefix. */
  runPrefix: string;
  /** s3:// URI of the HTML report under the run prefix, for the workflow memo and the CLI. */
  htmlUri: string;
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

interface ReportFile {
  name: string;
  body: string | Uint8Array;
  type: string;
}

const dataUri = (f: ReportFile) =>
  `data:${f.type};base64,${Buffer.from(typeof f.body === 'string' ? new TextEncoder().encode(f.body) : f.body).toString('base64')}`;

/**
 * The run report: Markdown, JSON, a self-contained HTML page (plots, loss curves, detection pictures), and the
 * SVG plots, stored content-addressed, with readable copies and the run manifest (every artifact the run
 * produced, every file of the report) under `runs/<run id>/`.
 */
export function writeReport(deps: PipelineDeps) {
  return async (input: WriteReportInput): Promise<WrittenReport> => {
    const { result } = input;
    const o = input.input;
    const a = result.artifacts;
    const log = activityLog();
    const [original, pruned] = await Promise.all([deps.store.get(a.original), deps.store.get(a.pruned!)]);
    const after = convWidths(decodeModel(pruned));
    const originalModel = decodeModel(original);
    const stages = partMapOf(originalModel);
    const layers: LayerRatio[] = [...convWidths(originalModel)]
      .filter(([name]) => after.has(name))
      .map(([name, before]) => ({
        name,
        stage: partOfModule(moduleIndexOfNode(name) ?? -1, stages) ?? 'other',
        before,
        after: after.get(name)!,
      }));

    const missing: string[] = [];
    const evidence = await gatherReportEvidence(deps, {
      options: o,
      artifacts: a,
      dataset: input.dataset,
      evaluations: input.evaluations,
      finetuneLoss: input.finetuneLoss,
      finetuneDevice: result.finetune?.device,
    });
    const search = input.search?.map((t) => SearchTrajectorySchema.parse(t));

    const files: ReportFile[] = [
      { name: 'ratios.svg', body: renderRatiosSvg(layers), type: 'image/svg+xml' },
    ];
    let sensitivity;
    // Curves need ratios inside (0, 1): a layer scan's points are whole blocks dropped (ratio 1).
    if (input.scan && input.input.granularity !== 'block') {
      const curves = buildSensitivityCurves(input.scan.baseline, input.scan.points);
      sensitivity = {
        ...sensitivityForReport(rankParts(input.scan.baseline, curves)),
        baseline: input.scan.baseline,
        curves,
      };
      files.push({
        name: 'sensitivity.svg',
        body: renderSensitivitySvg(curves, input.scan.baseline),
        type: 'image/svg+xml',
      });
    }

    let finetuneLoss: FinetuneLoss | undefined;
    if (evidence.finetuneLoss) {
      const bytes = await deps.store.get(evidence.finetuneLoss);
      finetuneLoss = FinetuneLossSchema.parse(JSON.parse(new TextDecoder().decode(bytes)));
      files.push({ name: 'finetune-loss.json', body: bytes, type: 'application/json' });
    } else if (a.finetuned) {
      missing.push(
        'Fine-tune loss curves: the fine-tune step stored no loss series (it ran before the series was kept).',
      );
    }

    if (a.finetuned && !evidence.finetuneDevice)
      missing.push('Fine-tune device: the fine-tune step recorded none (it ran before the device was kept).');

    // The pictures: both models over the evaluation split, on this (cpu) worker's CPU.
    let examples: DetectionExamplesResult | undefined;
    const compressed = a.deployed ?? a.finetuned ?? a.pruned;
    if (compressed) {
      try {
        const dataDir = await deps.cache.dataset(await loadManifest(deps, evidence.dataset));
        const [originalFile, compressedFile] = await Promise.all([
          deps.cache.file(a.original),
          deps.cache.file(compressed),
        ]);
        examples = await detectionExamples({
          original: originalFile,
          compressed: compressedFile,
          data: dataDir,
          split: o.splits.evaluation,
          limit: o.evaluation.maxImages,
          imgsz: o.evaluation.imgsz,
          session: { ep: 'cpu', graphOptimizationLevel: 'all' },
        });
        for (const f of examples.files) files.push({ name: f.name, body: f.bytes, type: f.type });
      } catch (err) {
        // Pictures are worth less than the report itself: say why they are absent instead of failing it.
        log.warn('detection pictures not drawn', { error: String(err) });
        missing.push(`Detection pictures: ${err instanceof Error ? err.message : String(err)}`);
      }
    }

    const ev = evidence.evaluations;
    const evaluated: [string, EvaluateModelResult | undefined][] = [
      ['original', ev.before],
      ...(result.pruned ? [['pruned', ev.pruned] as [string, EvaluateModelResult | undefined]] : []),
      ...(result.after ? [['compressed', ev.after] as [string, EvaluateModelResult | undefined]] : []),
    ];
    for (const [name, e] of evaluated) {
      if (!e)
        missing.push(`Latency spread and per-class AP of the ${name} model: its evaluation was not found.`);
      else if (!e.latency && e.latency_ms > 0)
        missing.push(`Latency spread of the ${name} model: its evaluation kept only the median.`);
    }

    const splits = await splitsForReport(deps, evidence.dataset, o.splits, missing);
    const t = o.target;
    const report = RunReportSchema.parse({
      run_id: result.runId,
      input: {
        model: input.modelName,
        dataset: o.data,
        planner: o.planner.kind,
        criterion: o.criterion,
        granularity: o.granularity,
        target: {
          flops_reduction: t.flopsReduction,
          params_reduction: t.paramsReduction,
          latency_ms: t.latencyMs,
        },
      },
      splits,
      steps: Object.entries(result.stepSeconds).map(([name, wall_s]) => ({ name, wall_s })),
      // evaluateModel, importModel and applyPruning count every model in the deploy form (BN folded).
      cost_form: 'deploy',
      before: metricsForReport(result.before, ev.before, examples?.perClass.original),
      ...(result.pruned ? { pruned: metricsForReport(result.pruned, ev.pruned) } : {}),
      after: result.after
        ? metricsForReport(result.after, ev.after, examples?.perClass.compressed)
        : metricsForReport(result.before, ev.before, examples?.perClass.original),
      target_met: targetMet(t, result),
      ...(result.int8 && result.after
        ? { number_format: numberFormatForReport(result.int8, result.after) }
        : {}),
      stages: partCostsForReport(input.originalStats, input.prunedStats),
      planned: plannedForReport(result),
      sensitivity,
      layers,
      stage_bounds: stageBounds(o.planner, result),
      ...(search ? { search: searchForReport(search) } : {}),
      pareto: paretoPoints(result, o, input.scan?.points, search),
      ...(finetuneLoss ? { finetune_loss: finetuneLoss } : {}),
      ...(evidence.finetuneDevice ? { finetune_device: evidence.finetuneDevice } : {}),
      ...(examples ? { detections: examples.examples } : {}),
      ...(examples?.mapChange ? { map_change: examples.mapChange } : {}),
      ...(missing.length > 0 ? { missing } : {}),
      plots: {
        ratios: 'ratios.svg',
        ...(input.scan ? { sensitivity: 'sensitivity.svg' } : {}),
        html: REPORT_HTML,
      },
      plan_key: a.appliedPlan?.key ?? a.plan?.key ?? '(none)',
    });
    const images = Object.fromEntries(
      files
        .filter((f) => f.type.startsWith('image/') && f.name.startsWith('detections/'))
        .map((f) => [f.name, dataUri(f)]),
    );
    files.push({ name: REPORT_HTML, body: renderReportHtml(report, { images }), type: 'text/html' });
    files.push({ name: 'report.md', body: renderReportMarkdown(report), type: 'text/markdown' });
    files.push({ name: 'report.json', body: JSON.stringify(report, null, 2), type: 'application/json' });

    const enc = new TextEncoder();
    const refs = new Map<string, ArtifactRef>();
    const runPrefix = runPrefixOf(result.runId);
    for (const f of files) {
      const bytes = typeof f.body === 'string' ? enc.encode(f.body) : f.body;
      refs.set(f.name, await deps.store.put(bytes, { contentType: f.type }));
      await deps.store.putObject(`${runPrefix}${f.name}`, bytes);
    }
    const out: WrittenReport = {
      markdown: refs.get('report.md')!,
      json: refs.get('report.json')!,
      html: refs.get(REPORT_HTML)!,
      plots: files.filter((f) => f.name.endsWith('.svg')).map((f) => refs.get(f.name)!),
      runPrefix,
      htmlUri: reportHtmlUri(deps.store.bucket, result.runId),
    };
    await deps.store.putJson(`${runPrefix}${RUN_MANIFEST}`, {
      run_id: result.runId,
      artifacts: {
        ...a,
        report: out.markdown,
        reportJson: out.json,
        reportHtml: out.html,
        plots: out.plots,
        ...(evidence.finetuneLoss ? { finetuneLoss: evidence.finetuneLoss } : {}),
      },
      /** Every file of the report under the run prefix, for `stageprune report`. */
      files: files.map((f) => f.name),
      before: result.before,
      after: result.after,
    });
    return out;
  };
}

/** The activity's logger when run by a worker; the console when called directly (tests, tools). */
function activityLog(): { warn: (message: string, meta?: Record<string, unknown>) => void } {
  try {
    return Context.current().log;
  } catch {
    return { warn: (message, meta) => console.warn(message, meta ?? '') };
  }
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

/** Each split role with its image count, read from the run's own data (a count it cannot read is left out). */
async function splitsForReport(
  deps: PipelineDeps,
  dataset: ArtifactRef,
  splits: RunSplits,
  missing: string[],
): Promise<ReportSplit[]> {
  const uses = splitUses(splits);
  let dataDir: string | undefined;
  try {
    dataDir = await deps.cache.dataset(await loadManifest(deps, dataset));
  } catch (err) {
    missing.push(
      `Split sizes: the data set could not be read (${err instanceof Error ? err.message : String(err)}).`,
    );
  }
  const rows: ReportSplit[] = [];
  for (const role of ['selection', 'finetune', 'evaluation'] as const) {
    const u = uses[role];
    let images: number | undefined;
    if (dataDir && u.split !== undefined) {
      try {
        images = (await loadDataset(dataDir, { split: u.split, policy: 'skip' })).dataset.images.length;
      } catch (err) {
        missing.push(`Size of the ${role} split: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    rows.push({ role, split: u.description, use: u.role, ...(images !== undefined ? { images } : {}) });
  }
  return rows;
}

/** The report's number-format rows from the run's result: the delivered float model and its INT8 form. */
function numberFormatForReport(int8: Int8Result, after: ModelMetrics): NumberFormat {
  const row = (m: ModelMetrics) => ({ map50_95: m.map50_95, map50: m.map50, latency_ms: m.latency_ms });
  const sel = int8.selectionMap;
  return {
    observer: int8.observer,
    float: row(after),
    int8: row(int8.metrics),
    quantized_nodes: int8.quantizedNodes,
    float_nodes: int8.floatNodes,
    kept_float_layers: int8.keptLayers,
    ...(sel
      ? {
          selection: {
            float: sel.float,
            all_int8: sel.allInt8,
            delivered: sel.delivered,
            within_budget: sel.withinBudget,
          },
        }
      : {}),
  };
}
