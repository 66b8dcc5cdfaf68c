import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { SWIFTSHADER_ICD } from './jest-global-setup.js';

export { SWIFTSHADER_ICD };

/**
 * The environment that points the Vulkan loader at SwiftShader, for a worker process. Throws when it is not
 * installed: the webgpu tests must fail on a machine without it, never pass by skipping.
 */
export function softwareGpuEnv(): { VK_ICD_FILENAMES: string; XDG_RUNTIME_DIR: string } {
  if (!existsSync(SWIFTSHADER_ICD)) {
    throw new Error(`SwiftShader's Vulkan driver ${SWIFTSHADER_ICD} is missing: apt-get install chromium libvulkan1 (.ci/run does)`);
  }
  return { VK_ICD_FILENAMES: SWIFTSHADER_ICD, XDG_RUNTIME_DIR: tmpdir() };
}
