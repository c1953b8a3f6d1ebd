// Schedule status: the maintained per-person status (ims.series_status) that worklists and
// cohorts read, derived from vaccination events, flags and the rule files, and kept fresh
// by draining the queue of persons the database notes as changed.
export { FAR_BEHIND, refreshAllStatuses, refreshIfFarBehind, type RefreshProgress, type RefreshReport } from './refresh-all';
export { register } from './status-queue.service';
export { statusRows, type StatusRow } from './schedule-status.service';
