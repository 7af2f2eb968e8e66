// Paths for tests bundled into dist-test/ (one level below player/).
import {fileURLToPath} from 'node:url'
import {dirname, resolve} from 'node:path'

export const PLAYER_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..')
export const REPO_DIR = resolve(PLAYER_DIR, '..')
