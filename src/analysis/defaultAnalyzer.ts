// What a fresh install serves when FEEDBACK_DEFAULT_ANALYZER is not set: the analyzer whose scores
// best predict experts' ratings of conversations it never saw (src/analysis/README.md, "Choosing
// the default"). A module of its own so that configuration can name it without loading analyzers.
// Changing it changes nothing for a database already serving feedback: that keeps its live version.
export const DEFAULT_ANALYZER = 'coach@3';
