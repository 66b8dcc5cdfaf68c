import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';

// Jest loads this file as CommonJS without its module mapper, so it imports nothing of ours.

/** SwiftShader, the CPU Vulkan driver inside Debian's `chromium` package; Dawn accepts it (Debian 12's lavapipe it refuses). */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/**
 * Jest gives each test file a copy of process.env, so the Vulkan loader (native code, reading the real one)
 * sees only what is set here, before any test runs: every Dawn instance in the tests gets SwiftShader alone.
 * Where it is missing nothing is set, and the webgpu specs fail saying so (softwareGpuEnv).
 */
export default function globalSetup(): void {
  if (existsSync(SWIFTSHADER_ICD)) Object.assign(process.env, { VK_ICD_FILENAMES: SWIFTSHADER_ICD, XDG_RUNTIME_DIR: tmpdir() });
}
