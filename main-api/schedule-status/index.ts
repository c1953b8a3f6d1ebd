// Schedule status: the maintained per-person status (ims.series_status) that worklists and
// cohorts read, derived from vaccination events, flags and the rule files, and kept fresh
// by draining the queue of persons the database notes as changed.
export { refreshPersonStatus, statusRows, UPCOMING_HORIZON_YEARS, type StatusRow } from './schedule-status.service';
export { refreshAllStatuses, type RefreshOptions, type RefreshProgress, type RefreshReport } from './refresh-all';
export { register, type StatusRegistration } from './status-queue.service';
