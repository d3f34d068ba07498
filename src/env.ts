import dotenv from "dotenv";

// Load .env once, quietly: dotenv 17 otherwise prints to stdout, which `--json` output owns.
dotenv.config({ quiet: true, path: process.env.DOTENV_CONFIG_PATH });
