package scenarios

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/streamcheck/streamcheck/engine"
	"github.com/streamcheck/streamcheck/engine/checkpoint"
)

// SecondEngine returns a Scenario.During that, after pause, starts a second
// engine with the scenario's default job (VentilatorJob) on the checkpoint
// the first one is using. The second must be refused with
// checkpoint.ErrLocked while the first holds the lease; any other outcome —
// it runs, or fails otherwise — is an error that ends the run.
func SecondEngine(pause time.Duration) func(ctx context.Context, env Env, seed uint64) error {
	return func(ctx context.Context, env Env, _ uint64) error {
		if !pauseFor(ctx, pause) {
			return nil // the run ended first: nothing left to do
		}
		job, err := VentilatorJob(env)
		if err != nil {
			return fmt.Errorf("second engine: %w", err)
		}
		eng, err := engine.New(job, engine.WithAWSConfig(env.Stack.AWSConfig), engine.WithUntilIdle())
		if err != nil {
			return fmt.Errorf("second engine: %w", err)
		}
		err = eng.Run(ctx)
		switch {
		case errors.Is(err, checkpoint.ErrLocked):
			fmt.Fprintf(env.Progress, "  a second engine on %s was refused: %v\n", job.ForEachBatch.CheckpointLocation, err)
			return nil
		case err == nil:
			return fmt.Errorf("second engine on %s ran while the first held the checkpoint, want %w", job.ForEachBatch.CheckpointLocation, checkpoint.ErrLocked)
		case ctx.Err() != nil:
			return nil //nolint:nilerr // the run ended while the second engine waited: nothing was shown either way
		default:
			return fmt.Errorf("second engine on %s: %w, want %w", job.ForEachBatch.CheckpointLocation, err, checkpoint.ErrLocked)
		}
	}
}
