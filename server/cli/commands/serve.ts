import { serve } from '../../daemon/start';

export function run(argv: string[]): Promise<number> {
  return serve(argv);
}
