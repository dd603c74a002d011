from django.db import migrations, models


class Migration(migrations.Migration):
    """Separate from the backfill: PostgreSQL refuses to alter a table with pending trigger events
    of the same transaction."""

    dependencies = [("chat", "0003_message_seq")]

    operations = [
        migrations.AlterField(model_name="message", name="seq", field=models.BigIntegerField()),
        migrations.AddConstraint(
            model_name="message",
            constraint=models.UniqueConstraint(fields=("room", "seq"), name="chat_message_room_seq_uniq"),
        ),
    ]
