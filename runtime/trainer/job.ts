/**
 * The trainer job file as TypeScript sees it (the trainer validates it again, with JSON paths in its
 * messages). Only the commonly set fields are typed; see trainer/README.md for every field and default.
 */
export type TrainerDataSpec = (
  | { format: 'voc'; root: string; splits?: string[]; names?: string[] }
  /** `classes`: the names of the label files' class indices (data.yaml), matched to the class order by name. */
  | { format: 'yolo'; images: string | string[]; classes?: string[]; names?: string[] }
  /** Several splits: `images[i]` holds the files of `annotations[i]`. */
  | { format: 'coco'; images: string | string[]; annotations: string | string[]; names?: string[] }
  | { format: 'images'; images: string }
) & { limit?: number; hold_out?: TrainerHoldOut };

/** One side of a seeded hold-out of the data (runtime/datasets/hold-out.ts computes the same images). */
export interface TrainerHoldOut {
  count: number;
  seed: number;
  part: 'held' | 'rest';
}

export interface TrainerJob {
  version?: 1;
  mode: 'train' | 'finetune';
  model: string;
  teacher?: string;
  out: string;
  data: TrainerDataSpec;
  labels?: boolean;
  imgsz?: number;
  epochs: number;
  max_steps?: number;
  batch?: number;
  seed?: number;
  device?: 'auto' | 'cpu' | 'cuda';
  amp?: boolean;
  workers?: number;
  threads?: number;
  checkpoint_every?: number;
  keep_checkpoints?: number;
  log_every?: number;
  ema?: boolean;
  /** ultralytics' ModelEMA: decay × (1 − exp(−updates / tau)); defaults 0.9999 and 2000. */
  ema_decay?: number;
  ema_tau?: number;
  optimizer?: Partial<{ name: 'sgd' | 'adamw'; lr0: number; lrf: number; momentum: number; weight_decay: number; warmup_epochs: number; warmup_bias_lr: number; nbs: number; cos_lr: boolean; clip_norm: number }>;
  loss?: Partial<{ box: number; cls: number; dfl: number; topk: number; min_side: number }>;
  cwd?: Partial<{
    enabled: boolean;
    tau: number;
    weight: number | number[];
    student: string[];
    teacher: string[];
    /** CWD on the head's class-logit and box-distribution maps too, at this weight. */
    head_weight: number;
    /** Keep the teacher's outputs per image when they repeat (no augmentation). Default true. */
    cache_teacher: boolean;
  }>;
  output_distill?: Partial<{ weight: number; tau: number }>;
  sparsity?: Partial<{ l1: number }>;
  augment?: Partial<{
    mosaic: number;
    close_mosaic: number; enabled: boolean; hsv_h: number; hsv_s: number; hsv_v: number; fliplr: number; scale: number; translate: number }>;
  taylor?: { out: string; batches?: number };
}
