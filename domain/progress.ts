// A progress line for a person watching a long wait or a change ("waiting for the running sync cycle …").
// The providers print it (providers/common/progress.ts); the domain rules only call it.
export type Progress = (message: string) => void;
