-- What temporary credentials carry into authorization beyond their principal: source identity,
-- session tags, transitive tag keys and session policy documents, as one JSON object.
ALTER TABLE sessions ADD COLUMN context TEXT NOT NULL DEFAULT '{}';
