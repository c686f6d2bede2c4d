// normface enroll NAME --photos DIR|FILES...: one verdict line per photo (a damaged file, a photo
// with no face or several faces is refused with the reason, and the batch goes on), then the usable
// ones are enrolled in one go. An existing NAME gets the new templates added.
import { readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { MAX_TEMPLATES_PER_CALL, type Client, type IdentitySummary, type NewTemplate } from '../../../core/contract/api';
import { photoTemplate } from '../../services/vision/photo';
import { CliError, describe, EXIT } from '../errors';
import { findIdentity } from '../identities';
import { mappingLine } from '../pamConfig';
import { checkConfigTarget, writeMapping } from '../writeConfig';
import type { RegisterCommand } from './index';

interface PhotoVerdict {
  file: string;
  ok: boolean;
  quality?: number;
  code?: string;
  reason?: string;
}

/** Files named directly, and every file (not hidden) directly inside a named folder, in name order. */
export function expandPhotos(paths: readonly string[]): { file: string; missing?: string }[] {
  const files: { file: string; missing?: string }[] = [];
  for (const path of paths) {
    let isDir = false;
    try {
      isDir = statSync(path).isDirectory();
    } catch {
      files.push({ file: path, missing: `${path} does not exist; check the path.` });
      continue;
    }
    if (!isDir) {
      files.push({ file: path });
      continue;
    }
    const inside = readdirSync(path, { withFileTypes: true })
      .filter((e) => e.isFile() && !e.name.startsWith('.'))
      .map((e) => e.name)
      .sort();
    for (const name of inside) files.push({ file: join(path, name) });
  }
  return files;
}

async function existing(client: Client, name: string): Promise<IdentitySummary | null> {
  try {
    return await findIdentity(client, name);
  } catch (e) {
    if (e instanceof CliError && e.code === 'not-found') return null;
    throw e;
  }
}

export const enrollCommand: RegisterCommand = (program, context) => {
  program
    .command('enroll')
    .description('enroll a person from photos (one face each); a folder means every photo in it')
    .argument('<name>', 'the person\'s name (an enrolled name gets the photos added)')
    .requiredOption('--photos <paths...>', 'photo files and/or folders of photos')
    .option('--notes <text>', 'notes kept with a new person')
    .option('--login-as <user>', 'also print the login configuration line that lets this system user log in with this face (by record id)')
    .option('--write-config <file>', 'with --login-as: write that line into this login configuration (replacing the user\'s earlier one; see build/pam)')
    .action((name: string, options: { photos: string[]; notes?: string; loginAs?: string; writeConfig?: string }, command) =>
      context.run(command, async (session, out) => {
        if (options.writeConfig !== undefined) {
          if (options.loginAs === undefined) throw new CliError('--write-config needs --login-as USER: the system user whose line to write.', 'invalid-arguments');
          // Refused before any photo is read: a file that cannot be written is said before the work, not after.
          checkConfigTarget(options.writeConfig, options.loginAs);
        }
        const photos = expandPhotos(options.photos);
        if (photos.length === 0) throw new CliError(`There are no photos in ${options.photos.join(', ')}; name JPEG or PNG files or a folder holding them.`, 'no-photos');
        const pipeline = await session.pipeline();
        const verdicts: PhotoVerdict[] = [];
        const templates: NewTemplate[] = [];
        const width = String(photos.length).length;
        for (const [i, { file, missing }] of photos.entries()) {
          out.progress(i, photos.length, basename(file));
          let verdict: PhotoVerdict;
          if (missing) {
            verdict = { file, ok: false, code: 'missing', reason: missing };
          } else {
            try {
              const t = await photoTemplate(pipeline, file);
              templates.push(t);
              verdict = { file, ok: true, quality: Math.round(t.quality.score * 100) / 100 };
            } catch (e) {
              const { code, message } = describe(e);
              verdict = { file, ok: false, code, reason: message };
            }
          }
          verdicts.push(verdict);
          const n = `[${String(i + 1).padStart(width)}/${photos.length}]`;
          out.line(verdict.ok ? `${n} ok    ${basename(file)} (quality ${verdict.quality?.toFixed(2)})` : `${n} skip  ${basename(file)}: ${verdict.reason}`);
        }
        out.progress(photos.length, photos.length, 'done');
        out.clearBar();
        if (templates.length === 0) {
          out.result({ ok: false, enrolled: 0, photos: verdicts, error: { code: 'no-usable-photos', message: 'None of the photos could be used.' } });
          out.warn(`normface: none of the ${photos.length} photos could be used, so ${name} was not enrolled; use photos of one person, face clearly visible.`);
          return EXIT.error;
        }

        const before = await existing(session.client, name);
        const duplicate = await session.client.enroll.checkDuplicate({ templates: templates.slice(0, MAX_TEMPLATES_PER_CALL).map((t) => t.vector) });
        const other = duplicate.duplicate && duplicate.duplicate.identityId !== before?.id ? duplicate.duplicate : null;
        if (other) out.warn(`normface: these photos look like ${other.name}, who is already enrolled (cosine ${other.score.toFixed(2)}); check that they show ${name}.`);

        let person = before
          ? await session.client.identities.addTemplates({ id: before.id, templates: templates.slice(0, MAX_TEMPLATES_PER_CALL) })
          : await session.client.identities.create({ name, notes: options.notes, templates: templates.slice(0, MAX_TEMPLATES_PER_CALL) });
        for (let at = MAX_TEMPLATES_PER_CALL; at < templates.length; at += MAX_TEMPLATES_PER_CALL) {
          person = await session.client.identities.addTemplates({ id: person.id, templates: templates.slice(at, at + MAX_TEMPLATES_PER_CALL) });
        }
        const skipped = verdicts.length - templates.length;
        out.line(`${before ? 'Added' : 'Enrolled'} ${person.name}: ${templates.length} photo${templates.length === 1 ? '' : 's'} used, ${skipped} skipped (${person.templateCount} templates in all).`);
        // The login configuration maps a system user to the record id, never to a name.
        let loginConfig: { file: string; line: string; replaced: string | null } | null = null;
        if (options.loginAs !== undefined && options.writeConfig !== undefined) {
          let written;
          try {
            written = writeMapping(options.writeConfig, options.loginAs, person.id);
          } catch (e) {
            const { code, message } = describe(e);
            throw new CliError(`${person.name} is enrolled (record ${person.id}), but the login configuration was not written: ${message}`, code);
          }
          loginConfig = { file: options.writeConfig, ...written };
          out.line(`Wrote to ${options.writeConfig}: ${written.line}${written.replaced ? ` (in place of: ${written.replaced})` : ''}`);
        } else if (options.loginAs !== undefined) {
          out.line(`For face login, add to /etc/normface/pam.conf: ${mappingLine(options.loginAs, person.id)}`);
        }
        out.result({ ok: true, identity: { id: person.id, name: person.name, templateCount: person.templateCount }, enrolled: templates.length, skipped, photos: verdicts, looksLike: other, loginConfig });
        return EXIT.ok;
      }),
    );
};
