import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** Sample entity of the persistence tests: a uuid kept as varchar(36) and two instants. */
@Entity({ name: 'widget' })
export class Widget {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 100 })
  name!: string;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt!: Date;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
