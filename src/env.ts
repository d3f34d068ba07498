import { existsSync } from "node:fs";
import path from "node:path";
import dotenv from "dotenv";
import { PROJECT_ROOT } from "./paths.js";

// Load .env once, quietly (dotenv 17 otherwise prints to stdout, which `--json` output owns): DOTENV_CONFIG_PATH,
// else the .env of the folder the command runs in, else Verbatim's own.
const local = path.resolve(".env");
dotenv.config({
  quiet: true,
  path: process.env.DOTENV_CONFIG_PATH ?? (existsSync(local) ? local : path.join(PROJECT_ROOT, ".env")),
});
