-- GDPR art. 12(6): a controller in reasonable doubt about the identity of the person making a
-- request may ask for more information. When it was asked and when it came; whether the answer
-- period then runs from the identification is each party's policy (configuration).

ALTER TABLE request
  ADD COLUMN identification_asked_time  timestamptz,
  ADD COLUMN identification_time        timestamptz,
  ADD CONSTRAINT request_identification_check
    CHECK (identification_time IS NULL OR
           (identification_asked_time IS NOT NULL AND
            identification_time >= identification_asked_time));
