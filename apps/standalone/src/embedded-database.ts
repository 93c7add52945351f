import { join } from 'node:path';
import { createSharedPglite, importLegacyPglite, type Logger, type Migration, type SharedPglite } from '@parley/kit';

/**
 * The one embedded database of `npm start` (DATA_DIR/pg), a schema for each service that has no
 * database URL, with the per-service folders of earlier versions (DATA_DIR/<service>/pg)
 * imported first, each into its service's schema. The services then migrate their own schema
 * as in distributed mode.
 */
export async function openEmbeddedDatabase(dataDir: string, services: Record<string, readonly Migration[]>, logger: Logger): Promise<SharedPglite> {
  const shared = await createSharedPglite(join(dataDir, 'pg'));
  try {
    for (const [service, migrations] of Object.entries(services)) {
      const imported = await importLegacyPglite({ shared, dataDir, service, migrations });
      if (imported) {
        logger.warn(
          { ...imported, into: join(dataDir, 'pg') },
          `imported ${service}'s data folder of an earlier version into the shared database; the old folder is kept at ${imported.keptAt}, delete it once satisfied`,
        );
      }
    }
    return shared;
  } catch (error) {
    await shared.close();
    throw error;
  }
}
