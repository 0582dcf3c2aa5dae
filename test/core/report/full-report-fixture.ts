// A RunReport with every optional section filled, small hand-checkable numbers: the HTML tests render it.
import { buildSensitivityCurves, rankParts, REVIEW_PART_BOUNDS } from '../../../core/planning';
import {
  RunReportSchema,
  searchForReport,
  sensitivityForReport,
  type RunReport,
  type RunReportInput,
} from '../../../core/report';
import { baseline, prunedYoloLike } from '../planning/fixtures-synthetic';

/** A 1×1 grey PNG stands in for a drawn panel (the browser test uses real ones). */
export const PANEL_URI =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAACXBIWXMAAAPoAAAD6AG1e1JrAAAADElEQVQImWPo6OgAAAM0AZmUse0HAAAAAElFTkSuQmCC';

const curves = buildSensitivityCurves(baseline, prunedYoloLike);

export const fullReportInput: RunReportInput = {
  run_id: 'run-<7>&"x"',
  input: {
    model: 'yolov8n-bccd',
    dataset: 's3://stageprune/datasets/bccd/',
    planner: 'sensitivity',
    criterion: 'l1',
    granularity: 'group',
    target: { flops_reduction: 0.4, latency_ms: 30 },
  },
  steps: [
    { name: 'evaluating-baseline', wall_s: 4.2 },
    { name: 'finetuning', wall_s: 95 },
  ],
  before: {
    params: 3_011_433,
    flops: 8_194_000_000,
    latency_ms: 41.25,
    map50_95: 0.6123,
    map50: 0.9011,
    latency: { runs: 10, median_ms: 41.25, p90_ms: 44.5, min_ms: 40.1, max_ms: 47.9, mean_ms: 42 },
    per_class: [
      { name: 'WBC', ap50_95: 0.8, ap50: 0.99 },
      { name: 'RBC', ap50_95: 0.5, ap50: 0.85 },
      { name: 'Platelets', ap50_95: null, ap50: null },
    ],
  },
  pruned: { params: 1_800_000, flops: 4_500_000_000, latency_ms: 30.1, map50_95: 0.41, map50: 0.7 },
  after: {
    params: 1_800_000,
    flops: 4_500_000_000,
    latency_ms: 29.5,
    map50_95: 0.598,
    map50: 0.8934,
    latency: { runs: 10, median_ms: 29.5, p90_ms: 31, min_ms: 28.8, max_ms: 33.3, mean_ms: 29.9 },
    per_class: [
      { name: 'WBC', ap50_95: 0.79, ap50: 0.98 },
      { name: 'RBC', ap50_95: 0.47, ap50: 0.83 },
      { name: 'Platelets', ap50_95: null, ap50: null },
    ],
  },
  target_met: { flops: true, latency: true },
  sensitivity: { ...sensitivityForReport(rankParts(baseline, curves)), baseline, curves },
  layers: [
    { name: '/model.0/conv/Conv', stage: 'backbone', before: 16, after: 16 },
    { name: '/model.2/cv1/conv/Conv', stage: 'backbone', before: 32, after: 24 },
    { name: '/model.15/cv1/conv/Conv', stage: 'neck', before: 64, after: 48 },
    { name: '/model.22/cv2.0/cv2.0.0/conv/Conv', stage: 'head', before: 64, after: 56 },
  ],
  stage_bounds: { staged: { backbone: 0.3, neck: 0.2, head: 0.1 }, review: { ...REVIEW_PART_BOUNDS } },
  search: searchForReport([
    {
      kind: 'netadapt',
      points: [
        { step: 1, latencyMs: 38, flops: 7e9, map50_95: 0.6, accepted: true, label: 'model.8' },
        { step: 2, latencyMs: 35, flops: 6.2e9, map50_95: 0.55, accepted: false, label: 'model.2' },
        { step: 2, latencyMs: 35.5, flops: 6.3e9, map50_95: 0.59, accepted: true, label: 'model.15' },
      ],
    },
    {
      kind: 'amc',
      points: [0, 1, 2, 3].map((step) => ({ step, reward: -1 + step * 0.2, accepted: step % 2 === 1 })),
    },
  ]),
  pareto: [
    {
      label: 'original',
      source: 'baseline',
      flops: 8.194e9,
      latency_ms: 41.25,
      map50_95: 0.6123,
      split: 'test',
    },
    { label: 'pruned', source: 'pruned', flops: 4.5e9, latency_ms: 30.1, map50_95: 0.41, split: 'test' },
    {
      label: 'delivered',
      source: 'final',
      flops: 4.5e9,
      latency_ms: 29.5,
      map50_95: 0.598,
      split: 'test',
      chosen: true,
    },
    { label: 'model.8 at 0.5', source: 'scan', flops: 7.9e9, map50_95: 0.49, split: 'val' },
  ],
  finetune_loss: {
    version: 1,
    resumed_from_step: 0,
    points: [10, 20, 30].map((step, i) => ({
      step,
      epoch: step / 10,
      loss: {
        box: 1.5 - 0.1 * i,
        cls: 1.2 - 0.2 * i,
        dfl: 1.1 - 0.05 * i,
        cwd: 3 - i,
        total: 6.8 - 1.35 * i,
      },
    })),
  },
  detections: {
    split: 'test',
    iou: 0.5,
    min_score: 0.25,
    class_names: ['WBC', 'RBC', 'Platelets'],
    images_compared: 8,
    images: [
      {
        file: 'JPEGImages/BloodImage_00001.jpg',
        ground_truth: 12,
        original: { detections: 11, matched: 10, false_positives: 1, missed: 2 },
        compressed: { detections: 9, matched: 7, false_positives: 2, missed: 5 },
        panels: {
          ground_truth: 'detections/01-a-truth.jpg',
          original: 'detections/01-a-original.jpg',
          compressed: 'detections/01-a-compressed.jpg',
        },
      },
    ],
  },
  missing: ['Latency spread of the pruned model: its evaluation kept only the median.'],
  plots: { ratios: 'ratios.svg', sensitivity: 'sensitivity.svg', html: 'report.html' },
  plan_key: 'artifacts/sha256/ab/abcdef',
};

export const fullReport = (): RunReport => RunReportSchema.parse(fullReportInput);

export const panelImages = (): Record<string, string> => ({
  'detections/01-a-truth.jpg': PANEL_URI,
  'detections/01-a-original.jpg': PANEL_URI,
  'detections/01-a-compressed.jpg': PANEL_URI,
});
