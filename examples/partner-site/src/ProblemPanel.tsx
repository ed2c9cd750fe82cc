import type { Problem } from './errors';

export function ProblemPanel({ problem, onRetry }: { problem: Problem; onRetry?: () => void }) {
  return (
    <section className="problem" role="alert" data-testid="problem" data-code={problem.code}>
      <h2>{problem.title}</h2>
      <p>{problem.detail}</p>
      {onRetry ? (
        <button type="button" onClick={onRetry}>
          Try again
        </button>
      ) : null}
    </section>
  );
}
