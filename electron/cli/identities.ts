// People are named on the command line by name (or by id when two share a name); a login
// configuration names them by record id only.
import type { Client, IdentitySummary } from '../../core/contract/api';
import { CliError } from './errors';

export async function findIdentity(client: Client, nameOrId: string): Promise<IdentitySummary> {
  const wanted = nameOrId.trim();
  const everyone = await client.identities.list({});
  const byId = everyone.find((i) => i.id === wanted);
  if (byId) return byId;
  let found = everyone.filter((i) => i.name === wanted);
  if (found.length === 0) found = everyone.filter((i) => i.name.toLowerCase() === wanted.toLowerCase());
  if (found.length === 1) return found[0]!;
  if (found.length > 1) {
    throw new CliError(`Several people are named ${wanted} (ids ${found.map((i) => i.id).join(', ')}); use the id instead.`, 'ambiguous');
  }
  throw new CliError(`No one named ${wanted} is enrolled; \`normface list\` shows who is, \`normface enroll\` adds someone.`, 'not-found');
}

/**
 * The person a login configuration maps a system user to: by record id, exactly (ids never change and
 * are never given by a person). A name there is refused: anyone can be enrolled under any name.
 */
export async function findRecord(client: Client, id: string, systemUser: string, configFile: string): Promise<IdentitySummary> {
  const everyone = await client.identities.list({});
  const record = everyone.find((i) => i.id === id);
  if (record) return record;
  const named = everyone.filter((i) => i.name === id || i.name.toLowerCase() === id.toLowerCase());
  if (named.length > 0) {
    throw new CliError(
      `${configFile} maps ${systemUser} to "${id}", a name, not a record id: anyone can be enrolled under a name. Write the id instead (\`normface list\` prints it): user ${systemUser} = ${named[0]!.id}.`,
      'invalid-config',
    );
  }
  throw new CliError(`${configFile} maps ${systemUser} to the record ${id}, which is not enrolled here; \`normface list\` prints the ids.`, 'not-found');
}
