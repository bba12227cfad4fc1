/** `wacast project create` and `wacast user create | list | set-password | add-project | remove-project`. */
import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { openRuntime } from '../runtime.js';
import { createProject } from '../projects/projects.service.js';
import { createApiCredential } from '../auth/api-credentials.service.js';
import { addProjectMember, createUser, findUserByEmail, listUsers, normaliseEmail, setUserPassword } from '../auth/users.service.js';
import { passwordProblem } from '../auth/passwords.js';
import type { Db } from '../storage/db.js';
import { AppError } from '../errors.js';
import { createLogger } from '../logger.js';
import { DATABASE_HELP, printNewDatabaseNote } from './new-database-note.js';

async function withRuntime<T>(run: (runtime: Awaited<ReturnType<typeof openRuntime>>) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const runtime = await openRuntime(config, { logger: createLogger('warn') });
  printNewDatabaseNote(runtime.db);
  try {
    return await run(runtime);
  } catch (error) {
    if (error instanceof AppError) {
      console.error(error.message);
      process.exitCode = 1;
      return undefined as T;
    }
    throw error;
  } finally {
    await runtime.close();
  }
}

export function registerAdminCommands(program: Command): void {
  const project = program.command('project').description('Manage projects.');
  project
    .command('create')
    .description('Create a project and its first API credentials (the passcode is printed once).')
    .requiredOption('--name <name>', 'project name')
    .option('--json', 'print {"accountId","passcode","projectId"} as JSON (the passcode is shown once)')
    .addHelpText('after', DATABASE_HELP)
    .action(async (options: { name: string; json?: boolean }) => {
      await withRuntime(async (runtime) => {
        const name = options.name.trim();
        if (!name) throw new AppError(422, 'validation_failed', '--name must not be empty.');
        const created = await createProject(runtime.db, name);
        const credential = await createApiCredential(runtime.db, created.id);
        if (options.json) {
          console.log(JSON.stringify({ accountId: credential.accountId, passcode: credential.passcode, projectId: created.id }));
        } else {
          console.log(`Project "${created.name}" created (id ${created.id}).`);
          console.log(`API account id: ${credential.accountId}`);
          console.log(`API passcode:   ${credential.passcode}   (shown once; store it now)`);
        }
      });
    });

  const user = program.command('user').description('Manage dashboard users.');
  user
    .command('create')
    .description('Create a dashboard user.')
    .requiredOption('--email <email>', 'login email')
    .requiredOption('--password <password>', 'password (at least 10 characters)')
    .option('--admin', 'instance admin: can open every project')
    .option('--project <id...>', 'project id(s) the user can open')
    .addHelpText('after', DATABASE_HELP)
    .action(async (options: { email: string; password: string; admin?: boolean; project?: string[] }) => {
      await withRuntime(async (runtime) => {
        // Checked before the user exists: an unknown id would otherwise fail on the foreign key
        // after the user was created without it.
        const wanted = options.project ?? [];
        await checkProjectsExist(runtime.db, wanted);
        const created = await createUser(runtime.db, { email: options.email, password: options.password, isAdmin: options.admin === true, projectIds: wanted });
        console.log(`User ${created.email} created${created.isAdmin ? ' (admin)' : ''}.`);
        // Such a user logs in to an empty dashboard: say so now rather than let the operator find out from the user.
        if (!created.isAdmin && wanted.length === 0) {
          console.error(
            `Note: ${created.email} is not an admin and was given no project, so it can open none. Give it one with \`wacast user add-project --email ${created.email} --project <id>\` (ids from \`wacast project create\`), or create users with --project or --admin.`,
          );
        }
      });
    });

  user
    .command('list')
    .description('List dashboard users by email: admin or not, and the projects given to each.')
    .option('--json', 'print [{"id","email","isAdmin","createdAt","projects":[{"id","name"}]}] as JSON')
    .addHelpText('after', DATABASE_HELP)
    .action(async (options: { json?: boolean }) => {
      await withRuntime(async (runtime) => {
        const users = await listUsers(runtime.db);
        if (options.json) {
          console.log(JSON.stringify(users));
          return;
        }
        if (users.length === 0) {
          console.log('No users yet: `wacast user create` creates one.');
          return;
        }
        for (const found of users) {
          const access = found.isAdmin ? 'admin (every project)' : found.projects.length === 0 ? 'no project' : found.projects.map((project) => `${project.name} (${project.id})`).join(', ');
          console.log(`${found.email}\t${access}`);
        }
      });
    });

  user
    .command('set-password')
    .description("Set a dashboard user's password (e.g. a forgotten one); every session of that user ends.")
    .requiredOption('--email <email>', "the user's login email")
    .requiredOption('--password <password>', 'the new password (at least 10 characters)')
    .addHelpText('after', DATABASE_HELP)
    .action(async (options: { email: string; password: string }) => {
      await withRuntime(async (runtime) => {
        const found = await findUserByEmail(runtime.db, options.email);
        if (!found) throw new AppError(404, 'not_found', `No user with the email ${normaliseEmail(options.email)}: \`wacast user create\` creates one.`);
        const weak = passwordProblem(options.password);
        if (weak) throw new AppError(422, 'validation_failed', `--password ${weak}.`);
        const { endedSessionIds } = await setUserPassword(runtime.db, found.id, null, options.password);
        const ended = endedSessionIds.length;
        console.log(`Password of ${found.email} changed${ended > 0 ? `; ${ended} session${ended === 1 ? '' : 's'} ended` : ''}.`);
      });
    });

  user
    .command('add-project')
    .description('Let an existing dashboard user open more projects.')
    .requiredOption('--email <email>', "the user's login email")
    .requiredOption('--project <id...>', 'project id(s) to add')
    .addHelpText('after', DATABASE_HELP)
    .action(async (options: { email: string; project: string[] }) => {
      await withRuntime(async (runtime) => {
        const found = await findUserByEmail(runtime.db, options.email);
        if (!found) throw new AppError(404, 'not_found', `No user with the email ${normaliseEmail(options.email)}: \`wacast user create\` creates one.`);
        await checkProjectsExist(runtime.db, options.project);
        for (const projectId of options.project) await addProjectMember(runtime.db, projectId, found.id);
        const projects = projectList(options.project);
        console.log(`${found.email} can now open ${projects}${found.is_admin === 1 ? ' (as an admin it could already open every project)' : ''}.`);
      });
    });

  user
    .command('remove-project')
    .description('Take projects from a dashboard user: from its next request on, it cannot open them.')
    .requiredOption('--email <email>', "the user's login email")
    .requiredOption('--project <id...>', 'project id(s) to take away')
    .addHelpText('after', DATABASE_HELP)
    .action(async (options: { email: string; project: string[] }) => {
      await withRuntime(async (runtime) => {
        const found = await findUserByEmail(runtime.db, options.email);
        if (!found) throw new AppError(404, 'not_found', `No user with the email ${normaliseEmail(options.email)}: \`wacast user create\` creates one.`);
        if (found.is_admin === 1) {
          throw new AppError(409, 'instance_admin', `${found.email} is an instance admin and opens every project; access cannot be taken away per project.`);
        }
        await checkProjectsExist(runtime.db, options.project);
        // Checked before anything is removed, so a typo in one id changes nothing.
        const memberships = await runtime.db.kysely
          .selectFrom('project_members')
          .select('project_id')
          .where('user_id', '=', found.id)
          .where('project_id', 'in', options.project)
          .execute();
        const notMember = options.project.filter((id) => !memberships.some((row) => row.project_id === id));
        if (notMember.length > 0) throw new AppError(404, 'not_found', `${found.email} cannot open project ${notMember.join(', ')}: nothing was removed.`);
        await runtime.db.kysely.deleteFrom('project_members').where('user_id', '=', found.id).where('project_id', 'in', options.project).execute();
        const projects = projectList(options.project);
        console.log(`${found.email} can no longer open ${projects}.`);
      });
    });
}

/** Refuses unknown project ids, naming them, before anything is written. */
/** "project A" or "projects A, B", for the commands' answers. */
function projectList(ids: string[]): string {
  return ids.length === 1 ? `project ${ids[0]}` : `projects ${ids.join(', ')}`;
}

async function checkProjectsExist(db: Db, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  const found = await db.kysely.selectFrom('projects').select('id').where('id', 'in', ids).execute();
  const missing = ids.filter((id) => !found.some((row) => row.id === id));
  if (missing.length > 0) {
    throw new AppError(422, 'validation_failed', `No project with id ${missing.join(', ')}: \`wacast project create\` prints the ids of new projects.`);
  }
}
