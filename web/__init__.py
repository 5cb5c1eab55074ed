"""What every app's pages and APIs share: where the sites live, and how a refusal is answered
(a translated page, or problem+json for API clients). Imports no app of the project."""
