// normface verify NAME [--camera DEVICE | --video FILE] [--level L] [--timeout S] [--config FILE]:
// capture, pipeline and the liveness gathering run here; the decision is the service's verify
// handler (the back end's one login rule, its lockout and its audit event), as for the app.
// Prints one line; exits 0 accepted, 1 refused, 2 could not decide (no camera, no such person, locked).
import type { SecurityLevel } from '../../../core/contract/api';
import { printable } from '../../../core/contract/printable';
import { CaptureError } from '../../services/capture/errors';
import { openFrames } from '../../services/capture/frames';
import { recordFallThrough, type FallThrough } from '../../services/store/index';
import { gatherAttempt } from '../attempt';
import { CliError, describe, EXIT, FallThroughError } from '../errors';
import { findIdentity, findRecord } from '../identities';
import { personFor, readLoginConfig, type LoginConfig } from '../pamConfig';
import { checkRootPath, runningAsRoot } from '../rootSafety';
import { dataAccess } from '../session';
import { checkWhenToLook } from '../whenToLook';
import { addSourceOptions, frameSource, timeoutMs, type SourceOptions } from '../source';
import type { Output } from '../output';
import type { Session } from '../session';
import type { RegisterCommand } from './index';

/** How long verify looks by default: a blink or a turn and back takes a person a few seconds. */
export const VERIFY_TIMEOUT_S = 10;
/** A lock ending sooner than this is not taken for granted: the attempt is gathered in full. */
const LOCK_MARGIN_MS = 60_000;

/**
 * Keeps a login's fall-through in the event log, after the attempt (the camera closed or never opened).
 * Whatever happens here, the login still falls through: a failure is only said on stderr, and a busy
 * database is waited on for a moment only (recordFallThrough).
 */
async function keepRecord(dir: string | undefined, entry: FallThrough): Promise<void> {
  try {
    const { dataDir, keyring } = await dataAccess(dir);
    recordFallThrough({ dir: dataDir, keyring }, entry);
  } catch (error) {
    process.stderr.write(`normface: this fall-through is not in the event log: ${printable(describe(error).message)}\n`);
  }
}

export const verifyCommand: RegisterCommand = (program, context) => {
  addSourceOptions(
    program
      .command('verify')
      .description('is this NAME at the camera? (1:1 with the liveness check; exit 0 accepted, 1 refused, 2 error)')
      .argument('[name]', 'the person (name or id); with --config, the system user (default: $PAM_USER), whose line names a record id'),
    VERIFY_TIMEOUT_S,
  )
    .option('--config <file>', 'login configuration: data folder, camera, timeout and system user -> person (see build/pam)')
    .action(async (name: string | undefined, options: SourceOptions & { config?: string }, command) => {
      let config: LoginConfig | null = null;
      /** Set when a login (--config) falls through to the password: recorded once the attempt is over. */
      let fellThrough: FallThrough | null = null;
      const systemUser = (login: LoginConfig | null) => name ?? (login ? process.env['PAM_USER'] : undefined);
      const noteFallThrough = (error: unknown) => {
        const login = config;
        if (!login) return;
        const cause = error instanceof FallThroughError ? error.fallThrough : error instanceof CaptureError ? 'no-camera' : null;
        if (cause === null) return;
        const user = systemUser(login);
        const env = process.env;
        fellThrough = {
          cause,
          identityId: (user !== undefined && login.users.get(user)) || null,
          user,
          service: env['PAM_SERVICE'],
          tty: env['PAM_TTY'],
          rhost: env['PAM_RHOST'],
          ...(error instanceof CaptureError ? { code: error.code } : {}),
        };
      };
      const loadConfig = (): LoginConfig | null => {
        if (options.config === undefined) return null;
        if (!config) {
          // Run as root from PAM, the configuration decides who may log in as whom: root's alone (as sudoers).
          if (runningAsRoot()) checkRootPath(options.config, 'the login configuration', 'file');
          config = readLoginConfig(options.config);
          // Under PAM the environment is partly the user's: ffmpeg is not theirs to choose.
          delete process.env['NORMFACE_FFMPEG'];
        }
        return config;
      };
      await context.run(
        command,
        async (session, out) => {
          try {
            return await look(session, out);
          } catch (error) {
            noteFallThrough(error);
            throw error;
          }
        },
        () => {
          // Before the data or the camera are opened: when not to look at all (remote login, lid, disabled), and who.
          const login = loadConfig();
          if (login) {
            try {
              checkWhenToLook(login);
              personFor(login, wantedUser(login));
            } catch (error) {
              noteFallThrough(error);
              throw error;
            }
          }
          return login?.data;
        },
      );
      // Recorded where the attempt would have read its data: --data, else the configuration's folder.
      if (fellThrough) await keepRecord((command.optsWithGlobals() as { data?: string }).data ?? loadConfig()?.data, fellThrough);

      function wantedUser(login: LoginConfig | null): string {
        const user = systemUser(login);
        if (!user) throw new CliError(login ? 'Name the system user, or run from PAM (which sets PAM_USER).' : 'Name the person to verify: normface verify NAME.', 'invalid-arguments');
        return user;
      }

      async function look(session: Session, out: Output): Promise<number> {
        const login = loadConfig();
        const user = wantedUser(login);
        // An unmapped system user fell through before anything loaded (above).
        const wanted = login ? personFor(login, user) : user;
        // Loading the models takes the longest: started now, while the person is looked up and the camera opens.
        const loading = session.pipeline(['eyes', 'liveness']);
        // Its failure is reported where it is awaited; this only keeps an earlier failure (no such person) from leaving it unhandled.
        loading.catch(() => undefined);
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
        const person = login ? await findRecord(session.client, wanted, user, login.file) : await findIdentity(session.client, wanted);
        // The camera (or file) opens while the models load: a missing one is told at once.
        const frames = await openFrames(frameSource(settings));
        let attempt;
        let challenge = '';
        try {
          const pipeline = await loading;
          timings['modelsLoaded'] = performance.now();
          cpuMs['modelsLoaded'] = cpu();
          // Told the moment a face is seen: under PAM on stdout (pam_exec's "stdout" shows it), else on a terminal's stderr.
          const prompt = `Look at the camera, ${person.name}: blink once, or turn your head slowly to one side and back (${Math.round(limit / 1000)} s).`;
          const onFace = () => {
            if (out.json) return;
            if (login && process.env['PAM_USER']) out.line(prompt);
            else if (process.stderr.isTTY) process.stderr.write(`${prompt}\n`);
          };
          // Locked for a while yet: the back end will say so whatever the frames show, so one probe frame is enough to ask it.
          const locked = person.lockedUntil !== null && person.lockedUntil > Date.now() + LOCK_MARGIN_MS;
          // Asked for as the camera starts: a value from the back end binds this attempt to now.
          challenge = (await session.client.attempt.challenge()).challenge;
          attempt = await gatherAttempt(pipeline, frames, limit, { firstProbe: locked, onFace, ...(login ? { darkThreshold: login.darkThreshold } : {}) });

          timings['gathered'] = performance.now();
          cpuMs['gathered'] = cpu();
        } finally {
          frames.close();
        }
        if (!attempt.frames.some((f) => f.face?.template)) {
          const seconds = Math.round(attempt.endedAt / 100) / 10;
          if (attempt.dark > 0 && attempt.analysed === 0) {
            throw new FallThroughError(`Every frame in ${seconds} s was too dark to look for a face (dark_threshold); light the face, or check the camera.`, 'no-face', 'dark');
          }
          throw new FallThroughError(`No usable face was seen in ${seconds} s; look at the camera, in good light, and try again.`, 'no-face', 'no-face');
        }
        const verdict = await session.client.login({ identityId: person.id, level: settings.level as SecurityLevel | undefined, challenge, evidence: { frames: attempt.frames } });
        timings['decided'] = performance.now();
        cpuMs['decided'] = cpu();
        for (const k of Object.keys(timings)) timings[k] = Math.round(timings[k]!);
        for (const k of Object.keys(cpuMs)) cpuMs[k] = Math.round(cpuMs[k]!);
        out.result({ ok: true, name: person.name, ...verdict, frames: attempt.frames.length, analysed: attempt.analysed, dark: attempt.dark, attemptMs: Math.round(attempt.endedAt), stop: attempt.stop, timings, cpuMs, stageMs: attempt.stageMs });
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
      }
    });
};
