-- Where each epoch's wall time went (batches, validation, checkpoint, storage, other), for the system benchmark.
ALTER TABLE "run_metrics" ADD COLUMN     "timing" JSONB;
