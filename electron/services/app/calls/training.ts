// Fine-tuning (operator calls): the training service runs, the gallery takes the accepted agents.
import type { AppContext } from '../context';
import type { Handlers } from '../dispatch';

type TrainingCalls = 'training.start' | 'training.status' | 'training.cancel' | 'training.accept' | 'training.rollback' | 'training.runs';

export function trainingCalls(ctx: AppContext): Pick<Handlers, TrainingCalls> {
  return {
    'training.start': ({ options }) => ctx.trainer().start(options ?? {}),
    'training.status': () => ctx.trainer().status(),
    'training.cancel': () => ctx.trainer().cancel(),
    'training.accept': async ({ runId }) => {
      const run = await ctx.trainer().accept(runId);
      ctx.gallery.loadAgents();
      return run;
    },
    'training.rollback': async () => {
      const active = await ctx.trainer().rollback();
      ctx.gallery.loadAgents();
      return active;
    },
    'training.runs': () => ctx.trainer().runs(),
  };
}
