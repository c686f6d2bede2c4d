// normface verify NAME [--camera DEVICE | --video FILE] [--level L] [--timeout S] [--config FILE]:
// capture, pipeline and the liveness gathering run here; the decision is the service's verify
// handler (the back end's one login rule, its lockout and its audit event), as for the app.
// Prints one line; exits 0 accepted, 1 refused, 2 could not decide (no camera, no such person, locked).
import { statSync } from 'node:fs';
import type { SecurityLevel } from '../../../core/contract/api';
import { openFrames } from '../../services/capture/frames';
import { gatherAttempt } from '../attempt';
import { CliError, EXIT } from '../errors';
import { findIdentity } from '../identities';
import { personFor, readLoginConfig, type LoginConfig } from '../pamConfig';
import { addSourceOptions, frameSource, timeoutMs, type SourceOptions } from '../source';
import type { RegisterCommand } from './index';

/** How long verify looks by default: a blink or a turn and back takes a person a few seconds. */
export const VERIFY_TIMEOUT_S = 10;
/** A lock ending sooner than this is not taken for granted: the attempt is gathered in full. */
const LOCK_MARGIN_MS = 60_000;

/**
 * Run as root from PAM, the configuration decides who may log in as whom: it must be root's and
 * writable by no one else (as sudo insists for sudoers).
 */
function checkConfigOwner(config: string): void {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return;
  const s = statSync(config);
  if (s.uid !== 0 || (s.mode & 0o022) !== 0) {
    throw new CliError(`${config} must belong to root and be writable only by root (chown root: ${config}; chmod 644 ${config}).`, 'invalid-config');
  }
}

export const verifyCommand: RegisterCommand = (program, context) => {
  addSourceOptions(
    program
      .command('verify')
      .description('is this NAME at the camera? (1:1 with the liveness check; exit 0 accepted, 1 refused, 2 error)')
      .argument('[name]', 'the person (name or id); with --config, the system user (default: $PAM_USER)'),
    VERIFY_TIMEOUT_S,
  )
    .option('--config <file>', 'login configuration: data folder, camera, timeout and system user -> person (see build/pam)')
    .action((name: string | undefined, options: SourceOptions & { config?: string }, command) => {
      let config: LoginConfig | null = null;
      const loadConfig = (): LoginConfig | null => {
        if (options.config === undefined) return null;
        if (!config) {
          checkConfigOwner(options.config);
          config = readLoginConfig(options.config);
          // Under PAM the environment is partly the user's: ffmpeg is not theirs to choose.
          delete process.env['NORMFACE_FFMPEG'];
        }
        return config;
      };
      return context.run(
        command,
        async (session, out) => {
          const login = loadConfig();
          const user = name ?? (login ? process.env['PAM_USER'] : undefined);
          if (!user) throw new CliError(login ? 'Name the system user, or run from PAM (which sets PAM_USER).' : 'Name the person to verify: normface verify NAME.', 'invalid-arguments');
          const who = login ? personFor(login, user) : user;
          const explicit = command.getOptionValueSource('timeout') === 'cli';
          const settings: SourceOptions = {
            camera: options.camera ?? (options.video === undefined ? login?.camera : undefined),
            video: options.video ?? (options.camera === undefined ? login?.video : undefined),
            level: options.level ?? login?.level,
            timeout: explicit ? options.timeout : (login?.timeout ?? options.timeout),
          };
          const limit = timeoutMs(settings);
          // performance.now() counts from process start: where the time goes, for --json and bench:cli.
          // CPU time beside it: on a busy machine the wall clock measures the neighbours too.
          const cpu = () => {
            const u = process.cpuUsage();
            return (u.user + u.system) / 1000;
          };
          const timings: Record<string, number> = { opened: performance.now() };
          const cpuMs: Record<string, number> = { opened: cpu() };
          const person = await findIdentity(session.client, who);
          // The camera (or file) first: a missing one is told at once, before the models load.
          const frames = await openFrames(frameSource(settings));
          let attempt;
          let challenge = '';
          try {
            const pipeline = await session.pipeline(['eyes', 'liveness', 'scout']);
            timings['modelsLoaded'] = performance.now();
            cpuMs['modelsLoaded'] = cpu();
            if (!out.json && process.stderr.isTTY) process.stderr.write('Look at the camera: blink once, or turn your head slowly to one side and back.\n');
            // Locked for a while yet: the back end will say so whatever the frames show, so one probe frame is enough to ask it.
            const locked = person.lockedUntil !== null && person.lockedUntil > Date.now() + LOCK_MARGIN_MS;
            // Asked for as the camera starts: a value from the back end binds this attempt to now.
            challenge = (await session.client.attempt.challenge()).challenge;
            attempt = await gatherAttempt(pipeline, frames, limit, { firstProbe: locked });
            timings['gathered'] = performance.now();
            cpuMs['gathered'] = cpu();
          } finally {
            frames.close();
          }
          if (!attempt.frames.some((f) => f.face?.template)) {
            throw new CliError(`No usable face was seen in ${Math.round(attempt.endedAt / 100) / 10} s; look at the camera, in good light, and try again.`, 'no-face');
          }
          const verdict = await session.client.verify({ identityId: person.id, level: settings.level as SecurityLevel | undefined, challenge, evidence: { frames: attempt.frames } });
          timings['decided'] = performance.now();
          cpuMs['decided'] = cpu();
          for (const k of Object.keys(timings)) timings[k] = Math.round(timings[k]!);
          for (const k of Object.keys(cpuMs)) cpuMs[k] = Math.round(cpuMs[k]!);
          out.result({ ok: true, name: person.name, ...verdict, frames: attempt.frames.length, analysed: attempt.analysed, attemptMs: Math.round(attempt.endedAt), stop: attempt.stop, timings, cpuMs, stageMs: attempt.stageMs });
          const score = verdict.score === null ? '' : ` (cosine ${verdict.score.toFixed(3)}, threshold ${verdict.threshold.toFixed(3)})`;
          if (verdict.accepted) {
            out.line(`accepted: ${verdict.message}${score}`);
            return EXIT.ok;
          }
          if (verdict.reason === 'locked' || verdict.reason === 'no-templates') {
            out.warn(`normface: ${verdict.message}`);
            return EXIT.error;
          }
          out.line(`refused (${verdict.reason}): ${verdict.message}${score}`);
          return EXIT.refused;
        },
        () => (options.config === undefined ? undefined : loadConfig()?.data),
      );
    });
};
