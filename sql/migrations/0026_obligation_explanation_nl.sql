-- How an obligation's deadline was computed, in Dutch, for the Dutch pages of the console next to
-- the English explanation. Obligations stored before this migration have none and show the
-- English one.

ALTER TABLE obligation ADD COLUMN explanation_nl text;
