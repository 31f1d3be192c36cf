-- An obligation's next pending reminder step (read with every obligation: its next_step_time and
-- label) straight from an index of its own pending steps, in fire order. Without it the planner
-- could intersect the index of all pending steps with the obligation's steps, reading every
-- pending step of the database, e.g. while the statistics lag behind a quickly growing table.
CREATE INDEX escalation_step_obligation_pending ON escalation_step (obligation_id, fire_time)
  WHERE state = 'pending';
