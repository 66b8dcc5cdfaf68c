-- Where an upload's time went: the API's steps, then the workers'.
ALTER TABLE "datasets" ADD COLUMN "timing" JSONB;
