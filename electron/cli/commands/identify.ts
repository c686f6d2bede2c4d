// normface identify --photo FILE | --video FILE | --camera DEVICE: 1:N, open set. The probe of a
// video is the normalised mean of the first few faces seen (as the back end fuses several probes).
import type { Template } from '../../../core/hypersphere';
import { meanTemplate } from '../../../core/matching/probe';
import { openFrames } from '../../services/capture/frames';
import { decodeFile } from '../../services/vision/decode';
import { CliError, EXIT } from '../errors';
import { addSourceOptions, frameSource, timeoutMs, type SourceOptions } from '../source';
import type { Session } from '../session';
import type { RegisterCommand } from './index';

const VIDEO_PROBES = 5;

async function photoProbe(session: Session, file: string): Promise<Template> {
  const pipeline = await session.pipeline();
  const analysis = await pipeline.analyse(decodeFile(file), { embed: 'primary' });
  const template = analysis.faces[0]?.template;
  if (!template) throw new CliError(`No face was found in ${file}; use a photo where the face is clearly visible.`, 'no_face');
  return template;
}

async function videoProbe(session: Session, options: SourceOptions): Promise<Template> {
  const pipeline = await session.pipeline();
  const limit = timeoutMs(options);
  const frames = await openFrames(frameSource(options));
  const seen: Template[] = [];
  try {
    for await (const frame of frames) {
      if (frame.at > limit) break;
      const template = (await pipeline.analyse(frame.image, { embed: 'primary' })).faces[0]?.template;
      if (!template) continue;
      seen.push(template);
      if (seen.length >= VIDEO_PROBES) break;
    }
  } finally {
    frames.close();
  }
  if (seen.length === 0) throw new CliError(`No face was seen within ${limit / 1000} s; face the camera in good light and try again.`, 'no_face');
  return meanTemplate(seen);
}

export const identifyCommand: RegisterCommand = (program, context) => {
  addSourceOptions(
    program.command('identify').description('who is this? (1:N, open set: strangers are "not recognised")').option('--photo <file>', 'a photo to identify'),
    10,
  )
    .option('-k, --top <n>', 'how many candidates to list', '5')
    .action((options: SourceOptions & { photo?: string; top: string }, command) =>
      context.run(command, async (session, out) => {
        const k = Number(options.top);
        if (!Number.isInteger(k) || k < 1 || k > 50) throw new CliError(`--top takes a whole number from 1 to 50, not ${options.top}.`, 'invalid-arguments');
        if (options.photo !== undefined && (options.video !== undefined || options.camera !== undefined)) {
          throw new CliError('Give one of --photo, --video or --camera.', 'invalid-arguments');
        }
        const probe = options.photo !== undefined ? await photoProbe(session, options.photo) : await videoProbe(session, options);
        const found = await session.client.identify({ probe, k, level: options.level });
        out.result({ ok: true, ...found });
        const top = found.candidates[0];
        if (found.recognised) {
          out.line(`Recognised ${found.recognised.name} (cosine ${found.recognised.score.toFixed(3)} >= ${found.threshold.toFixed(3)} at FMR ${found.level}).`);
        } else {
          out.line(top ? `Not recognised (closest: ${top.name}, cosine ${top.score.toFixed(3)} < ${found.threshold.toFixed(3)} at FMR ${found.level}).` : 'Not recognised: no one is enrolled.');
        }
        return found.recognised ? EXIT.ok : EXIT.refused;
      }),
    );
};
