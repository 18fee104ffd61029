/**
 * @module What the kubelet reads about its machine for the Node: CPUs, memory, the size of the
 * filesystem holding its root dir, kernel, OS image, machine and boot ids — and the free memory
 * and disk that decide MemoryPressure / DiskPressure.
 */
import { mkdir, readFile, statfs } from 'node:fs/promises';
import { availableParallelism, release, totalmem } from 'node:os';

export interface MachineInfo {
  cpus: number;
  memoryBytes: number;
  /** Size of the filesystem holding the kubelet's root dir (ephemeral-storage). */
  fsCapacityBytes: number;
  kernelVersion: string;
  osImage: string;
  machineID: string;
  systemUUID: string;
  bootID: string;
}

export interface MachineUsage { memoryAvailableBytes: number; fsAvailableBytes: number; fsCapacityBytes: number }

const firstLine = async (path: string): Promise<string> => {
  try {
    return (await readFile(path, 'utf8')).trim().split('\n')[0];
  } catch {
    return '';
  }
};

async function osImage(): Promise<string> {
  try {
    const m = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(await readFile('/etc/os-release', 'utf8'));
    return m?.[1] ?? 'Linux';
  } catch {
    return 'Linux';
  }
}

async function fsSize(dir: string): Promise<{ capacity: number; available: number }> {
  const s = await statfs(dir);
  return { capacity: s.blocks * s.bsize, available: s.bavail * s.bsize };
}

/** Reads the machine (creating `rootDir` when missing, to measure its filesystem). Throws if rootDir cannot be made. */
export async function readMachineInfo(rootDir: string): Promise<MachineInfo> {
  await mkdir(rootDir, { recursive: true });
  const machineID = await firstLine('/etc/machine-id');
  return {
    cpus: availableParallelism(),
    memoryBytes: totalmem(),
    fsCapacityBytes: (await fsSize(rootDir)).capacity,
    kernelVersion: release(),
    osImage: await osImage(),
    machineID,
    // product_uuid is root-only and absent in VMs without DMI: the machine id stands in.
    systemUUID: (await firstLine('/sys/class/dmi/id/product_uuid')) || machineID,
    bootID: await firstLine('/proc/sys/kernel/random/boot_id'),
  };
}

/** Free memory (MemAvailable, as the kubelet's memory.available signal) and free space under rootDir. */
export async function readMachineUsage(rootDir: string): Promise<MachineUsage> {
  const meminfo = await readFile('/proc/meminfo', 'utf8');
  const kb = Number(/^MemAvailable:\s+(\d+)/m.exec(meminfo)?.[1] ?? 0);
  const fs = await fsSize(rootDir);
  return { memoryAvailableBytes: kb * 1024, fsAvailableBytes: fs.available, fsCapacityBytes: fs.capacity };
}
